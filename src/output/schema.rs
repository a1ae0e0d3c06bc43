//! The JSON Schema of every object netkit prints, derived from the report
//! types themselves (schemars reads the same serde attributes that shape
//! the output, and the doc comments become descriptions). Written to
//! docs/schema/ by `UPDATE_ASSETS=1 cargo test`; the tests validate real
//! output against these files.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

struct Builder {
    generator: SchemaGenerator,
    types: Vec<(String, Value)>,
}

impl Builder {
    fn new() -> Self {
        let settings = SchemaSettings::draft2020_12().for_serialize();
        Builder {
            generator: settings.into_generator(),
            types: Vec::new(),
        }
    }

    fn add<T: JsonSchema>(&mut self, ty: &str) -> &mut Self {
        let s: Schema = self.generator.subschema_for::<T>();
        self.types.push((ty.to_string(), s.to_value()));
        self
    }

    fn build(&mut self, title: &str) -> Value {
        let mut defs: Map<String, Value> = self
            .generator
            .definitions()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for v in defs.values_mut() {
            close_objects(v);
        }
        // Each printed object's "type" is a constant naming its shape.
        for (ty, s) in &self.types {
            let Some(name) = s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            else {
                continue;
            };
            if ty.contains(',') {
                continue;
            }
            if let Some(t) = defs
                .get_mut(name)
                .and_then(|d| d.get_mut("properties"))
                .and_then(|p| p.get_mut("type"))
                .and_then(Value::as_object_mut)
            {
                t.insert("const".into(), Value::String(ty.clone()));
            }
        }
        let any_of: Vec<Value> = self.types.iter().map(|(_, s)| s.clone()).collect();
        let names: Vec<Value> = self
            .types
            .iter()
            .map(|(t, _)| Value::String(t.clone()))
            .collect();
        serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": title,
            "description": format!(
                "One object per line (JSON Lines), contract version {}; its \"type\" names its shape: {}.",
                super::json::CONTRACT_VERSION,
                names.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
            ),
            "anyOf": any_of,
            "$defs": defs,
        })
    }
}

/// Objects list every key they may have: nothing else may appear.
fn close_objects(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let is_object = m.get("type").and_then(Value::as_str) == Some("object")
                && m.contains_key("properties")
                && !m.contains_key("additionalProperties")
                && !m.contains_key("allOf")
                && !m.contains_key("oneOf")
                && !m.contains_key("anyOf");
            if is_object {
                m.insert("additionalProperties".into(), Value::Bool(false));
            }
            for child in m.values_mut() {
                close_objects(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(close_objects),
        _ => {}
    }
}

/// Adds a command's object types to a builder.
type AddTypes = fn(&mut Builder);

/// Every command's schema, keyed by command, and `netkit` for the union.
pub fn all() -> Vec<(&'static str, Value)> {
    use crate::{addr, dns, echo, mcast, probe, resolve};
    let per: Vec<(&'static str, AddTypes)> = vec![
        ("pack", |b| {
            b.add::<addr::pack::PackReport>("address")
                .add::<addr::pack::InvalidInput>("address")
                .add::<addr::byteorder::ByteOrderReport>("byte_order");
        }),
        ("services", |b| {
            b.add::<addr::services::ServiceAnswer>("service")
                .add::<addr::services::ServiceListEntry<'static>>("service_entry");
        }),
        ("proto", |b| {
            b.add::<addr::proto::ProtoAnswer>("protocol")
                .add::<addr::proto::ProtoListEntry<'static>>("protocol_entry");
        }),
        ("hostname", |b| {
            b.add::<resolve::report::HostnameReport>("hostname");
        }),
        ("fqdn", |b| {
            b.add::<resolve::report::FqdnAnswer>("fqdn");
        }),
        ("addrinfo", |b| {
            b.add::<resolve::report::AddrinfoAnswer>("addrinfo");
        }),
        ("lookup", |b| {
            b.add::<dns::lookup::LookupReport>("lookup")
                .add::<dns::lookup::NssReport>("nss_lookup")
                .add::<dns::allns::AllNsReport>("all_ns")
                .add::<dns::trace::TraceStep>("trace_step")
                .add::<dns::trace::TraceSummary>("summary");
        }),
        ("rdns", |b| {
            b.add::<resolve::rdns::RdnsAnswer>("rdns")
                .add::<resolve::rdns::RdnsSummary>("summary");
        }),
        ("portcheck", |b| {
            b.add::<probe::Probe>("port")
                .add::<probe::scan::Unresolved>("target")
                .add::<probe::check::CheckResult>("check")
                .add::<probe::scan::ScanSummary>("summary")
                .add::<probe::local::LocalCheck>("bind_check");
        }),
        ("diagnose", |b| {
            b.add::<probe::diagnose::Phase>("phase")
                .add::<probe::diagnose::Report>("summary")
                .add::<probe::diagnose::selfcheck::Check>("check")
                .add::<probe::diagnose::selfcheck::SelfCheckSummary>("summary");
        }),
        ("echo-server", |b| {
            b.add::<echo::server::ServerEvent>("listening, open, close, refused, dropped, warning")
                .add::<echo::server::ServerSummary>("summary");
        }),
        ("echo-client", |b| {
            b.add::<echo::client::Reply>("reply")
                .add::<echo::client::ClientSummary>("summary");
        }),
        ("mcast-send", |b| {
            b.add::<mcast::send::SendSummary>("summary");
        }),
        ("mcast-recv", |b| {
            b.add::<mcast::recv::Joined>("joined")
                .add::<mcast::recv::Datagram>("datagram")
                .add::<mcast::recv::Gap>("gap")
                .add::<mcast::recv::RecvSummary>("summary");
        }),
    ];
    let mut out = Vec::new();
    let mut union = Builder::new();
    for (name, add) in &per {
        let mut b = Builder::new();
        add(&mut b);
        out.push((*name, b.build(&format!("netkit {name} --json"))));
        add(&mut union);
    }
    out.push(("netkit", union.build("netkit --json (every command)")));
    out
}
