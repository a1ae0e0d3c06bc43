//! Resource records as netkit shows them: the presentation form (as dig
//! and kdig print it) and typed fields for JSON.

use serde::Serialize;

pub use super::rdata::RecordData;

/// One resource record, as text and typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Answer {
    /// Owner name, absolute (trailing dot), as on the wire.
    pub name: String,
    /// The owner in Unicode, beside the wire form, when it is an IDN
    /// (`xn--` labels that decode); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_unicode: Option<String>,
    /// Record type mnemonic (`A`, `MX`, `TYPE65280`).
    // Borrowed for the known types: no copy per record in a batch.
    pub rtype: std::borrow::Cow<'static, str>,
    /// Time to live, seconds.
    pub ttl: u32,
    /// Presentation form of the data.
    pub value: String,
    /// Typed fields.
    pub data: RecordData,
}

impl Answer {
    /// Its JSON object, byte for byte as serde writes it (see
    /// [`crate::output::jsonw`]).
    pub fn write_json(out: &mut Vec<u8>, a: &Answer) -> std::io::Result<()> {
        use super::rdata::RecordData;
        let mut o = crate::output::jsonw::Obj::new(out);
        o.str(crate::k!("name"), &a.name);
        if let Some(u) = &a.name_unicode {
            o.str(crate::k!("name_unicode"), u);
        }
        o.word(crate::k!("rtype"), &a.rtype)
            .uint(crate::k!("ttl"), u64::from(a.ttl))
            .str(crate::k!("value"), &a.value);
        match &a.data {
            RecordData::Address { address } => {
                o.obj(crate::k!("data"), |o| {
                    o.ip(crate::k!("address"), *address);
                    Ok(())
                })?;
            }
            RecordData::Target { target } => {
                o.obj(crate::k!("data"), |o| {
                    o.str(crate::k!("target"), target);
                    Ok(())
                })?;
            }
            other => {
                o.value(crate::k!("data"), other)?;
            }
        }
        o.close();
        Ok(())
    }

    /// About what the record holds in memory, bytes (its typed fields
    /// counted as much again as its text, each block with the
    /// allocator's header).
    pub fn heap_bytes(&self) -> usize {
        // A string's heap block: its capacity and the allocator's header.
        let held = |t: &String| t.capacity() + 16;
        std::mem::size_of::<Answer>()
            + held(&self.name)
            + self.name_unicode.as_ref().map_or(0, held)
            + match &self.rtype {
                std::borrow::Cow::Owned(t) => held(t),
                std::borrow::Cow::Borrowed(_) => 0,
            }
            + 2 * held(&self.value)
    }

    /// A record as read from the wire.
    pub fn from_rr(rr: &super::wire::Rr) -> Answer {
        Answer {
            name: rr.name.to_text(),
            name_unicode: rr.name.to_unicode(),
            rtype: super::types::type_name(rr.rtype),
            ttl: rr.ttl,
            value: rr.text.clone(),
            data: rr.data.clone(),
        }
    }

    /// A record as read from the wire, its text and typed fields moved
    /// rather than copied (the reply is not needed after).
    pub fn from_owned(rr: super::wire::Rr) -> Answer {
        Answer {
            name: rr.name.to_text(),
            name_unicode: rr.name.to_unicode(),
            rtype: super::types::type_name(rr.rtype),
            ttl: rr.ttl,
            value: rr.text,
            data: rr.data,
        }
    }
}
