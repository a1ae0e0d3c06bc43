//! What every printed object is: a [`Report`], whose JSON object begins
//! with `"type"`, its shape's name, and which can feed the Prometheus file
//! of `--prom-file`. The name lives once, in the type's `impl Report`; the
//! printer writes it first (byte for byte where a `kind` field used to be).

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

use super::prom::Metrics;

/// A printed object: a result, an event or a summary.
pub trait Report: Serialize {
    /// The `type` of its JSON object.
    const TYPE: &'static str;

    /// True for an enum whose variants name their own `type` (serde's
    /// internal tag): nothing is added.
    const SELF_TAGGED: bool = false;

    /// Adds its Prometheus samples (none unless the type has metrics).
    fn metrics(&self, _m: &mut Metrics) {}

    /// Writes its JSON object, `"type"` first, without the newline. Through
    /// serde unless the type writes itself (one printed by the hundred
    /// thousand, with [`super::jsonw`]), byte for byte the same.
    fn write_json(&self, out: &mut Vec<u8>) -> std::io::Result<()> {
        super::json::to_writer(out, &Tagged(self))
    }
}

/// A report serialised with its `"type"` first.
pub struct Tagged<'a, R: ?Sized>(pub &'a R);

impl<R: Report + ?Sized> Serialize for Tagged<'_, R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if R::SELF_TAGGED {
            self.0.serialize(s)
        } else {
            self.0.serialize(TypeFirst {
                inner: s,
                ty: R::TYPE,
            })
        }
    }
}

/// `serialize_with` for a list of reports nested in another (diagnose's
/// phases in its summary): each keeps its `"type"`.
pub fn tagged_list<S: Serializer, R: Report>(list: &[R], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(list.iter().map(Tagged))
}

/// A serializer that writes `"type": ty` before a struct's (or a map's)
/// own fields, and passes everything else through.
struct TypeFirst<S> {
    inner: S,
    ty: &'static str,
}

macro_rules! pass {
    ($($name:ident($($arg:ident: $t:ty),*) -> $ret:ty;)*) => {
        $(fn $name(self, $($arg: $t),*) -> Result<$ret, S::Error> {
            self.inner.$name($($arg),*)
        })*
    };
}

impl<S: Serializer> Serializer for TypeFirst<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = S::SerializeSeq;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = S::SerializeStruct;
    type SerializeStructVariant = S::SerializeStructVariant;

    pass! {
        serialize_bool(v: bool) -> S::Ok;
        serialize_i8(v: i8) -> S::Ok;
        serialize_i16(v: i16) -> S::Ok;
        serialize_i32(v: i32) -> S::Ok;
        serialize_i64(v: i64) -> S::Ok;
        serialize_i128(v: i128) -> S::Ok;
        serialize_u8(v: u8) -> S::Ok;
        serialize_u16(v: u16) -> S::Ok;
        serialize_u32(v: u32) -> S::Ok;
        serialize_u64(v: u64) -> S::Ok;
        serialize_u128(v: u128) -> S::Ok;
        serialize_f32(v: f32) -> S::Ok;
        serialize_f64(v: f64) -> S::Ok;
        serialize_char(v: char) -> S::Ok;
        serialize_str(v: &str) -> S::Ok;
        serialize_bytes(v: &[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit() -> S::Ok;
        serialize_unit_struct(name: &'static str) -> S::Ok;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> S::Ok;
        serialize_seq(len: Option<usize>) -> S::SerializeSeq;
        serialize_tuple(len: usize) -> S::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> S::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeTupleVariant;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.inner.serialize_some(v)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner.serialize_newtype_struct(name, v)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner
            .serialize_newtype_variant(name, index, variant, v)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<S::SerializeMap, S::Error> {
        let mut m = self.inner.serialize_map(len.map(|n| n + 1))?;
        m.serialize_entry("type", self.ty)?;
        Ok(m)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<S::SerializeStruct, S::Error> {
        let mut st = self.inner.serialize_struct(name, len + 1)?;
        st.serialize_field("type", self.ty)?;
        Ok(st)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Plain {
        ok: bool,
        n: u32,
    }

    impl Report for Plain {
        const TYPE: &'static str = "plain";
    }

    #[derive(Serialize)]
    struct Flat {
        ok: bool,
        #[serde(flatten)]
        rest: std::collections::BTreeMap<String, u32>,
    }

    impl Report for Flat {
        const TYPE: &'static str = "flat";
    }

    #[derive(Serialize)]
    struct Outer {
        #[serde(serialize_with = "tagged_list")]
        inner: Vec<Plain>,
    }

    impl Report for Outer {
        const TYPE: &'static str = "outer";
    }

    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Event {
        Opened { id: u32 },
    }

    impl Report for Event {
        const TYPE: &'static str = "opened";
        const SELF_TAGGED: bool = true;
    }

    fn json<R: Report>(r: &R) -> String {
        serde_json::to_string(&Tagged(r)).unwrap()
    }

    #[test]
    fn the_type_comes_first() {
        assert_eq!(
            json(&Plain { ok: true, n: 3 }),
            r#"{"type":"plain","ok":true,"n":3}"#
        );
        let mut rest = std::collections::BTreeMap::new();
        rest.insert("a".to_string(), 1);
        assert_eq!(
            json(&Flat { ok: false, rest }),
            r#"{"type":"flat","ok":false,"a":1}"#
        );
        assert_eq!(
            json(&Outer {
                inner: vec![Plain { ok: true, n: 1 }]
            }),
            r#"{"type":"outer","inner":[{"type":"plain","ok":true,"n":1}]}"#
        );
        assert_eq!(
            json(&Event::Opened { id: 7 }),
            r#"{"type":"opened","id":7}"#
        );
    }
}
