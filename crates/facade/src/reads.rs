//! A typed answer, read only where a login description reads it.
//!
//! The engine reads answers through JSON pointers (`/data/authToken`). Turning a whole typed
//! answer (Rocket.Chat's user object has dozens of members) into a [`Value`] cost about as
//! much CPU as the rest of the facade's login together (`cargo xtask bench`, concurrency), for
//! members nobody reads. [`Reads`] is the tree of every pointer the description holds; the
//! typed answer is walked along it once, and only the value at the end of each pointer is
//! turned into JSON ([`Body::Picked`]). What a pointer finds does not change.

use serde::Serialize;
use serde::ser::{self, Impossible};
use serde_json::Value;

/// The members of an answer a description reads: a tree of pointer tokens.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Reads {
    /// The pointer that ends here, as the description wrote it (`None`: none ends here).
    ends: Option<String>,
    /// The members read below, by token. A list: a node has a handful, and comparing each
    /// (length first) beats a map's ordered search on every field of a typed answer.
    members: Vec<(String, Reads)>,
    /// How many pointers end at or below this node (what a pick can find, at most).
    count: usize,
}

/// An answer's body as the engine reads it.
#[derive(Debug, PartialEq)]
pub(crate) enum Body {
    /// The whole body.
    Whole(Value),
    /// The values at the description's pointers (pointers that found nothing are left out),
    /// and whether the body was `null` (a documented answer without content).
    Picked {
        null: bool,
        found: Vec<(&'static str, Value)>,
    },
}

impl Body {
    /// The value at JSON pointer `pointer`, as [`Value::pointer`] finds it in the whole body.
    pub(crate) fn at(&self, pointer: &str) -> Option<&Value> {
        match self {
            Body::Whole(value) => at(value, pointer),
            Body::Picked { found, .. } => found.iter().find_map(|(p, value)| {
                let rest = pointer.strip_prefix(p)?;
                (rest.is_empty() || rest.starts_with('/'))
                    .then(|| at(value, rest))
                    .flatten()
            }),
        }
    }

    /// Whether the body is `null` (a documented answer without content comes as `null`).
    pub(crate) fn is_null(&self) -> bool {
        match self {
            Body::Whole(value) => value.is_null(),
            Body::Picked { null, .. } => *null,
        }
    }
}

/// The body as JSON text: whole, or what was picked, by pointer (the engine picks nothing from
/// a server error, which it shows whole).
impl std::fmt::Display for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Whole(value) => value.fmt(f),
            Body::Picked { null: true, .. } => f.write_str("null"),
            Body::Picked { found, .. } => {
                let members: serde_json::Map<String, Value> = found
                    .iter()
                    .map(|(p, v)| ((*p).to_owned(), v.clone()))
                    .collect();
                Value::Object(members).fmt(f)
            }
        }
    }
}

/// The member of `value` at JSON pointer `pointer` (RFC 6901), as [`Value::pointer`] finds it,
/// without the two strings that one allocates for every token: a pointer without escapes
/// (`~0`, `~1`), as every spec's are, is walked in place. That cut a login's CPU time by a
/// tenth under load (`cargo xtask bench`, concurrency).
pub(crate) fn at<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.contains('~') {
        return value.pointer(pointer);
    }
    if pointer.is_empty() {
        return Some(value);
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .try_fold(value, |target, token| match target {
            Value::Object(map) => map.get(token),
            // serde_json's rule: no sign, no leading zero.
            Value::Array(list)
                if !token.starts_with('+') && (token == "0" || !token.starts_with('0')) =>
            {
                token.parse::<usize>().ok().and_then(|i| list.get(i))
            }
            _ => None,
        })
}

impl Reads {
    /// The tree of `pointers` (RFC 6901; `~1` and `~0` are unescaped).
    pub(crate) fn of<'p>(pointers: impl IntoIterator<Item = &'p str>) -> Reads {
        let mut root = Reads::default();
        for pointer in pointers {
            let mut node = &mut root;
            if !pointer.is_empty() {
                for token in pointer.trim_start_matches('/').split('/') {
                    let token = token.replace("~1", "/").replace("~0", "~");
                    let i = match node.members.iter().position(|(t, _)| *t == token) {
                        Some(i) => i,
                        None => {
                            node.members.push((token, Reads::default()));
                            node.members.len() - 1
                        }
                    };
                    node = &mut node.members[i].1;
                }
            }
            node.ends = Some(pointer.to_owned());
        }
        root.recount();
        root
    }

    /// What of `value` (a typed answer) this tree reads.
    pub(crate) fn pick<T: Serialize + ?Sized>(
        &'static self,
        value: &T,
    ) -> serde_json::Result<Body> {
        if self.ends.is_some() {
            return serde_json::to_value(value).map(Body::Whole);
        }
        let mut found = Vec::with_capacity(self.count);
        let null = value.serialize(Pick {
            reads: self,
            found: &mut found,
        })?;
        Ok(Body::Picked { null, found })
    }

    fn recount(&mut self) -> usize {
        self.count = usize::from(self.ends.is_some())
            + self
                .members
                .iter_mut()
                .map(|(_, n)| n.recount())
                .sum::<usize>();
        self.count
    }

    /// Reads `value`, the member at this node: whole where a pointer ends, else along the tree.
    fn visit<T: Serialize + ?Sized>(
        &'static self,
        value: &T,
        found: &mut Vec<(&'static str, Value)>,
    ) -> serde_json::Result<()> {
        match &self.ends {
            Some(pointer) => found.push((pointer.as_str(), serde_json::to_value(value)?)),
            None => {
                value.serialize(Pick { reads: self, found })?;
            }
        }
        Ok(())
    }

    fn member(&'static self, name: &str) -> Option<&'static Reads> {
        self.members
            .iter()
            .find_map(|(token, node)| (token == name).then_some(node))
    }
}

/// Walks a typed value along a [`Reads`] tree, collecting what the pointers find. Its result
/// says whether the value was `null`.
struct Pick<'f> {
    reads: &'static Reads,
    found: &'f mut Vec<(&'static str, Value)>,
}

/// Walks the members of an object, an array or a variant.
struct PickMembers<'f> {
    reads: Option<&'static Reads>,
    found: &'f mut Vec<(&'static str, Value)>,
    /// The next array item's index.
    index: usize,
    /// The node of the member whose value comes next (map keys come before their values).
    next: Option<&'static Reads>,
    /// A variant's content that a pointer reads whole: the pointer and the content so far.
    gather: Option<(&'static str, Value)>,
}

impl<'f> Pick<'f> {
    fn members(self, reads: Option<&'static Reads>) -> PickMembers<'f> {
        PickMembers {
            reads,
            found: self.found,
            index: 0,
            next: None,
            gather: None,
        }
    }
}

impl PickMembers<'_> {
    fn visit<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> serde_json::Result<()> {
        match self.reads.and_then(|r| r.member(name)) {
            Some(node) => node.visit(value, self.found),
            None => Ok(()),
        }
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        let index = self.index;
        self.index += 1;
        if self.reads.is_some_and(|r| !r.members.is_empty()) {
            self.visit(&index.to_string(), value)
        } else {
            Ok(())
        }
    }
}

macro_rules! not_null {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _v: $ty) -> serde_json::Result<bool> {
            Ok(false)
        })*
    };
}

impl<'f> ser::Serializer for Pick<'f> {
    type Ok = bool;
    type Error = serde_json::Error;
    type SerializeSeq = PickMembers<'f>;
    type SerializeTuple = PickMembers<'f>;
    type SerializeTupleStruct = PickMembers<'f>;
    type SerializeTupleVariant = PickMembers<'f>;
    type SerializeMap = PickMembers<'f>;
    type SerializeStruct = PickMembers<'f>;
    type SerializeStructVariant = PickMembers<'f>;

    not_null!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
    );

    fn serialize_none(self) -> serde_json::Result<bool> {
        Ok(true)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> serde_json::Result<bool> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> serde_json::Result<bool> {
        Ok(true)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> serde_json::Result<bool> {
        Ok(true)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> serde_json::Result<bool> {
        Ok(false)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> serde_json::Result<bool> {
        value.serialize(self)
    }
    // serde_json writes a variant with content as `{"Variant": content}`.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> serde_json::Result<bool> {
        if let Some(node) = self.reads.member(variant) {
            node.visit(value, self.found)?;
        }
        Ok(false)
    }
    fn serialize_seq(self, _len: Option<usize>) -> serde_json::Result<PickMembers<'f>> {
        let reads = Some(self.reads);
        Ok(self.members(reads))
    }
    fn serialize_tuple(self, _len: usize) -> serde_json::Result<PickMembers<'f>> {
        let reads = Some(self.reads);
        Ok(self.members(reads))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> serde_json::Result<PickMembers<'f>> {
        let reads = Some(self.reads);
        Ok(self.members(reads))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<PickMembers<'f>> {
        Ok(self.variant(variant, Value::Array(Vec::new())))
    }
    fn serialize_map(self, _len: Option<usize>) -> serde_json::Result<PickMembers<'f>> {
        let reads = Some(self.reads);
        Ok(self.members(reads))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> serde_json::Result<PickMembers<'f>> {
        let reads = Some(self.reads);
        Ok(self.members(reads))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<PickMembers<'f>> {
        Ok(self.variant(variant, Value::Object(serde_json::Map::new())))
    }
}

impl<'f> Pick<'f> {
    /// The members of `{"Variant": …}` (`empty`: its content when it has no field). Where a
    /// pointer ends at the variant, its content is gathered whole.
    fn variant(self, variant: &'static str, empty: Value) -> PickMembers<'f> {
        let node = self.reads.member(variant);
        let gather = node.and_then(|n| n.ends.as_deref()).map(|p| (p, empty));
        PickMembers {
            gather,
            ..self.members(node)
        }
    }
}

impl PickMembers<'_> {
    /// The end of an object, array or variant: a gathered variant joins what was found.
    fn finish(self) -> bool {
        if let Some(gathered) = self.gather {
            self.found.push(gathered);
        }
        false
    }
}

impl ser::SerializeSeq for PickMembers<'_> {
    type Ok = bool;
    type Error = serde_json::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.item(value)
    }
    fn end(self) -> serde_json::Result<bool> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for PickMembers<'_> {
    type Ok = bool;
    type Error = serde_json::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.item(value)
    }
    fn end(self) -> serde_json::Result<bool> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for PickMembers<'_> {
    type Ok = bool;
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        self.item(value)
    }
    fn end(self) -> serde_json::Result<bool> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleVariant for PickMembers<'_> {
    type Ok = bool;
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        if let Some((_, Value::Array(items))) = &mut self.gather {
            items.push(serde_json::to_value(value)?);
            return Ok(());
        }
        self.item(value)
    }
    fn end(self) -> serde_json::Result<bool> {
        Ok(self.finish())
    }
}

impl ser::SerializeMap for PickMembers<'_> {
    type Ok = bool;
    type Error = serde_json::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> serde_json::Result<()> {
        self.next = match self.reads {
            Some(reads) if !reads.members.is_empty() => reads.member(&key.serialize(KeyText)?),
            _ => None,
        };
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> serde_json::Result<()> {
        match self.next.take() {
            Some(node) => node.visit(value, self.found),
            None => Ok(()),
        }
    }
    fn end(self) -> serde_json::Result<bool> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for PickMembers<'_> {
    type Ok = bool;
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        self.visit(key, value)
    }
    fn end(self) -> serde_json::Result<bool> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for PickMembers<'_> {
    type Ok = bool;
    type Error = serde_json::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> serde_json::Result<()> {
        if let Some((_, Value::Object(members))) = &mut self.gather {
            members.insert(key.to_owned(), serde_json::to_value(value)?);
            return Ok(());
        }
        self.visit(key, value)
    }
    fn end(self) -> serde_json::Result<bool> {
        Ok(self.finish())
    }
}

/// A map key as the text a pointer token matches (serde_json's rule: strings, and numbers,
/// booleans and chars written out).
struct KeyText;

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<String, serde_json::Error>;
    type SerializeTuple = Impossible<String, serde_json::Error>;
    type SerializeTupleStruct = Impossible<String, serde_json::Error>;
    type SerializeTupleVariant = Impossible<String, serde_json::Error>;
    type SerializeMap = Impossible<String, serde_json::Error>;
    type SerializeStruct = Impossible<String, serde_json::Error>;
    type SerializeStructVariant = Impossible<String, serde_json::Error>;

    fn serialize_bool(self, v: bool) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, v: f32) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_f64(self, v: f64) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_char(self, v: char) -> serde_json::Result<String> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> serde_json::Result<String> {
        Ok(v.to_owned())
    }
    fn serialize_bytes(self, _v: &[u8]) -> serde_json::Result<String> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_none(self) -> serde_json::Result<String> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> serde_json::Result<String> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> serde_json::Result<String> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> serde_json::Result<String> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> serde_json::Result<String> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> serde_json::Result<String> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> serde_json::Result<String> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_seq(self, _len: Option<usize>) -> serde_json::Result<Self::SerializeSeq> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_tuple(self, _len: usize) -> serde_json::Result<Self::SerializeTuple> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeTupleStruct> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeTupleVariant> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_map(self, _len: Option<usize>) -> serde_json::Result<Self::SerializeMap> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeStruct> {
        Err(ser::Error::custom("a map key that is not text"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> serde_json::Result<Self::SerializeStructVariant> {
        Err(ser::Error::custom("a map key that is not text"))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Answer {
        status: &'static str,
        data: Data,
        messages: Vec<&'static str>,
        emails: Vec<Email>,
        extra: BTreeMap<String, u32>,
        maybe: Option<Data>,
        external: Vec<External>,
        pair: (u8, &'static str),
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        auth_token: &'static str,
        user_id: u64,
        #[serde(rename = "a/b~c")]
        odd: bool,
        me: BTreeMap<String, String>,
    }

    #[derive(Serialize)]
    struct Email {
        address: &'static str,
    }

    #[derive(Serialize)]
    enum External {
        Unit,
        New(u8),
        Tuple(u8, u8),
        Struct { a: u8 },
    }

    fn answer() -> Answer {
        let me = [("name".into(), "Ada".into()), ("x".into(), "y".into())];
        Answer {
            status: "success",
            data: Data {
                auth_token: "t",
                user_id: 7,
                odd: true,
                me: me.into_iter().collect(),
            },
            messages: vec!["a", "b"],
            emails: vec![Email { address: "a@x" }, Email { address: "b@x" }],
            extra: [("1".to_owned(), 2)].into_iter().collect(),
            maybe: None,
            external: vec![
                External::Unit,
                External::New(1),
                External::Tuple(2, 3),
                External::Struct { a: 4 },
            ],
            pair: (5, "six"),
        }
    }

    /// Every pointer into the answer (and some that find nothing).
    fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
        out.push(at.to_owned());
        out.push(format!("{at}/absent"));
        match value {
            Value::Object(members) => {
                for (k, v) in members {
                    let token = k.replace('~', "~0").replace('/', "~1");
                    pointers(v, &format!("{at}/{token}"), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    pointers(v, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    fn leak(reads: Reads) -> &'static Reads {
        Box::leak(Box::new(reads))
    }

    #[test]
    fn each_pointer_alone_and_all_together_find_what_they_find_in_the_whole_answer() {
        let whole = serde_json::to_value(answer()).unwrap();
        let mut all = Vec::new();
        pointers(&whole, "", &mut all);
        all.retain(|p| !p.is_empty());
        for p in &all {
            let body = leak(Reads::of([p.as_str()])).pick(&answer()).unwrap();
            assert_eq!(body.at(p), whole.pointer(p), "{p} alone");
        }
        let body = leak(Reads::of(all.iter().map(String::as_str)))
            .pick(&answer())
            .unwrap();
        for p in &all {
            assert_eq!(body.at(p), whole.pointer(p), "{p} among all");
        }
        // A pointer below one that is read whole is found too.
        let body = leak(Reads::of(["/data"])).pick(&answer()).unwrap();
        assert_eq!(body.at("/data/me/name"), Some(&json!("Ada")));
    }

    #[test]
    fn only_the_values_at_the_pointers_are_kept() {
        let reads = leak(Reads::of([
            "/data/authToken",
            "/emails/1/address",
            "/nothing",
        ]));
        assert_eq!(
            reads.pick(&answer()).unwrap(),
            Body::Picked {
                null: false,
                found: vec![
                    ("/data/authToken", json!("t")),
                    ("/emails/1/address", json!("b@x")),
                ],
            }
        );
    }

    #[test]
    fn a_body_without_content_is_null_and_the_empty_pointer_reads_everything() {
        let reads = leak(Reads::of(["/x"]));
        assert!(reads.pick(&()).unwrap().is_null());
        assert!(!reads.pick(&answer()).unwrap().is_null());
        assert_eq!(
            leak(Reads::of([""])).pick(&answer()).unwrap(),
            Body::Whole(serde_json::to_value(answer()).unwrap())
        );
    }
}
