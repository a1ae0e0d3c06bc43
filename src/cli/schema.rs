//! The JSON Schema of every object netkit prints, derived from the report
//! types themselves (schemars reads the same serde attributes that shape
//! the output, and the doc comments become descriptions). Written to
//! docs/schema/ by `UPDATE_ASSETS=1 cargo test`; the tests validate real
//! output against these files.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

use crate::output::Report;

struct Builder {
    generator: SchemaGenerator,
    /// (the `type` name, its schema, whether the printer adds `type`).
    types: Vec<(String, Value, bool)>,
}

impl Builder {
    fn new() -> Self {
        let settings = SchemaSettings::draft2020_12().for_serialize();
        Builder {
            generator: settings.into_generator(),
            types: Vec::new(),
        }
    }

    fn add<T: JsonSchema + Report>(&mut self) -> &mut Self {
        let s: Schema = self.generator.subschema_for::<T>();
        let entry = (T::TYPE.to_string(), s.to_value(), !T::SELF_TAGGED);
        // Shared by two commands (path's hop, say): once in the union.
        if !self.types.contains(&entry) {
            self.types.push(entry);
        }
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
        // Each printed object's "type" is a constant naming its shape, which
        // the printer writes first (`output::Report::TYPE`).
        for (ty, s, added) in &self.types {
            let Some(name) = s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            else {
                continue;
            };
            let Some(def) = defs.get_mut(name).and_then(Value::as_object_mut) else {
                continue;
            };
            if *added {
                let props = def
                    .entry("properties")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(props) = props.as_object_mut() {
                    let mut with_type = Map::new();
                    with_type.insert(
                        "type".into(),
                        serde_json::json!({
                            "description": format!("Always `\"{ty}\"`."),
                            "type": "string",
                            "const": ty,
                        }),
                    );
                    with_type.extend(std::mem::take(props));
                    *props = with_type;
                }
                if let Some(req) = def.get_mut("required").and_then(Value::as_array_mut) {
                    req.insert(0, Value::String("type".into()));
                }
            }
        }
        let any_of: Vec<Value> = self.types.iter().map(|(_, s, _)| s.clone()).collect();
        let names: Vec<Value> = self
            .types
            .iter()
            .map(|(t, _, _)| Value::String(t.clone()))
            .collect();
        serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": title,
            "description": format!(
                "One object per line (JSON Lines), contract version {}; its \"type\" names its shape: {}.",
                crate::output::json::CONTRACT_VERSION,
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
            b.add::<addr::pack::PackReport>()
                .add::<addr::pack::InvalidInput>()
                .add::<addr::byteorder::ByteOrderReport>();
        }),
        ("services", |b| {
            b.add::<addr::services::ServiceAnswer>()
                .add::<addr::services::ServiceListEntry<'static>>();
        }),
        ("proto", |b| {
            b.add::<addr::proto::ProtoAnswer>()
                .add::<addr::proto::ProtoListEntry<'static>>();
        }),
        ("hostname", |b| {
            b.add::<resolve::report::HostnameReport>();
        }),
        ("fqdn", |b| {
            b.add::<resolve::report::FqdnAnswer>();
        }),
        ("addrinfo", |b| {
            b.add::<resolve::report::AddrinfoAnswer>();
        }),
        ("lookup", |b| {
            b.add::<dns::lookup::LookupReport>()
                .add::<dns::lookup::NssReport>()
                .add::<dns::allns::AllNsReport>()
                .add::<dns::trace::TraceStep>()
                .add::<dns::trace::TraceSummary>()
                .add::<dns::xfr::XfrRecord>()
                .add::<dns::xfr::XfrSummary>();
        }),
        ("rdns", |b| {
            b.add::<resolve::rdns::RdnsAnswer>()
                .add::<resolve::rdns::RdnsSummary>();
        }),
        ("portcheck", |b| {
            b.add::<probe::Probe>()
                .add::<probe::scan::Unresolved>()
                .add::<probe::check::CheckResult>()
                .add::<probe::scan::ScanSummary>()
                .add::<probe::local::LocalCheck>()
                .add::<probe::path::Hop>()
                .add::<probe::path::PathReport>();
        }),
        ("diagnose", |b| {
            b.add::<probe::diagnose::Phase>()
                .add::<probe::diagnose::Report>()
                .add::<probe::path::Hop>()
                .add::<probe::path::PathReport>()
                .add::<probe::diagnose::selfcheck::Check>()
                .add::<probe::diagnose::selfcheck::SelfCheckSummary>();
        }),
        ("echo-server", |b| {
            b.add::<echo::server::ServerEvent>()
                .add::<echo::server::ServerSummary>();
        }),
        ("echo-client", |b| {
            b.add::<echo::client::Reply>()
                .add::<echo::client::ClientSummary>();
        }),
        ("mcast-send", |b| {
            b.add::<mcast::send::SendSummary>();
        }),
        ("mcast-recv", |b| {
            b.add::<mcast::recv::Joined>()
                .add::<mcast::recv::Datagram>()
                .add::<mcast::recv::Gap>()
                .add::<mcast::recv::RecvSummary>();
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
