//! Reading JSON (Harvest's answers, tools' arguments, the catalogue's schemas): a parser into a
//! borrowed tree ([`Json`], which also writes itself back as text) and [`FromJson`], which turns
//! a tree into a record.
//!
//! This replaces serde's derived deserializers for everything the component reads. Those are
//! instantiated once per record type and per deserializer, and were the largest part of the
//! component (see README, Performance, Size); here the parser is one function, and a record's
//! decoder is a list of field reads (generated from `wit/` by `build.rs` for the WIT records,
//! and by [`json_record!`] for the component's own). A mismatch names its path in the answer,
//! such as `time_entries[3].hours`.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

/// How deep arrays and objects may nest, as serde_json allows: deeper is refused, not a stack
/// overflow.
const MAX_DEPTH: usize = 128;

/// A parsed JSON value. Strings without escapes, and every number's text, borrow the input.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// The number as written, checked against JSON's grammar; read as the type that needs it.
    Number(Cow<'a, str>),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members in the order written.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Why a text is not JSON, with the byte offset where it stops being JSON.
#[derive(Debug, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub problem: &'static str,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} at byte {}", self.problem, self.offset)
    }
}

/// Parses one JSON text (surrounding whitespace allowed).
pub fn parse(bytes: &[u8]) -> Result<Json<'_>, SyntaxError> {
    let mut parser = Parser::new(bytes)?;
    let value = parser.value(0)?;
    parser.end()?;
    Ok(value)
}

/// A list answer as [`parse_list`] read it: the answer with its list left empty, and how
/// many items the list held.
pub struct ParsedList<'a> {
    pub rest: Json<'a>,
    pub items: usize,
}

/// Why a list answer could not be read: its text, or an item its reader refused.
pub enum ListError {
    Syntax(SyntaxError),
    Item(Mismatch),
}

impl From<SyntaxError> for ListError {
    fn from(error: SyntaxError) -> Self {
        ListError::Syntax(error)
    }
}

/// The reader of a list's items: the list's key, the item's index and the item.
pub type ItemReader<'r, 'a> = dyn FnMut(&str, usize, &Json<'a>) -> Result<(), Mismatch> + 'r;

/// Parses a JSON object whose list, the value of the first key `is_list` accepts, is handed to
/// `each` one item at a time, in order, as it is read. An item's tree is dropped once `each`
/// has read it, so a page of 2,000 records is never held as one tree: besides the text, what
/// the parse holds is one item. The rest of the object is returned as `parse` would return it,
/// the list's value left an empty array (when it is not an array it is returned as it is, and
/// nothing is handed to `each`).
pub fn parse_list<'a>(
    bytes: &'a [u8],
    is_list: fn(&str) -> bool,
    each: &mut ItemReader<'_, 'a>,
) -> Result<ParsedList<'a>, ListError> {
    let mut parser = Parser::new(bytes)?;
    parser.whitespace();
    let (rest, items) = if parser.peek() == Some(b'{') {
        parser.list_object(is_list, each)?
    } else {
        (parser.value(0)?, 0)
    };
    parser.end()?;
    Ok(ParsedList { rest, items })
}

/// Parses `bytes` and reads them as a `T`; the message says which of the two failed, and where.
pub fn decode<T: FromJson>(bytes: &[u8]) -> Result<T, String> {
    let value = parse(bytes).map_err(|e| format!("not JSON: {e}"))?;
    T::from_json(&value).map_err(|m| m.to_string())
}

/// Parses one JSON text into serde_json's tree, for the catalogue, which edits schemas and
/// results: the one parser serves both.
#[cfg(feature = "host-interfaces")]
pub fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, SyntaxError> {
    parse(bytes).map(|json| json.into_value())
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    /// The elements and members of the arrays and objects being read, innermost last: each
    /// list is moved out in one allocation of its exact size once it ends, rather than grown
    /// element by element.
    items: Vec<Json<'a>>,
    members: Vec<(Cow<'a, str>, Json<'a>)>,
}

impl<'a> Parser<'a> {
    fn new(bytes: &'a [u8]) -> Result<Parser<'a>, SyntaxError> {
        let text = std::str::from_utf8(bytes).map_err(|e| SyntaxError {
            offset: e.valid_up_to(),
            problem: "invalid UTF-8",
        })?;
        Ok(Parser {
            text,
            at: 0,
            items: Vec::new(),
            members: Vec::new(),
        })
    }

    /// After the one value of the text: only whitespace may follow.
    fn end(&mut self) -> Result<(), SyntaxError> {
        self.whitespace();
        if self.at < self.text.len() {
            return Err(self.error("trailing characters"));
        }
        Ok(())
    }

    fn error(&self, problem: &'static str) -> SyntaxError {
        SyntaxError {
            offset: self.at,
            problem,
        }
    }

    /// The text from `at` on.
    fn rest(&self) -> &'a str {
        self.text.get(self.at..).unwrap_or_default()
    }

    /// The text from `start` to `end`, both after ASCII bytes, so on character boundaries.
    fn slice(&self, start: usize, end: usize) -> Result<&'a str, SyntaxError> {
        self.text
            .get(start..end)
            .ok_or_else(|| self.error("invalid UTF-8"))
    }

    // The two below run for every byte of structure: inlined even in this size-tuned build.
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    #[inline(always)]
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &'static str, value: Json<'a>) -> Result<Json<'a>, SyntaxError> {
        if self.rest().starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        self.whitespace();
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    /// After the opening bracket or brace, with `close` the byte that ends the list: whether
    /// the list is empty (the close consumed).
    fn opens_empty(&mut self, depth: usize, close: u8) -> Result<bool, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.at += 1;
        self.whitespace();
        let empty = self.peek() == Some(close);
        if empty {
            self.at += 1;
        }
        Ok(empty)
    }

    /// After a list element: whether another follows (`,`) or the list ends (`close`).
    fn continues(&mut self, close: u8, problem: &'static str) -> Result<bool, SyntaxError> {
        self.whitespace();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.at += 1;
                Ok(false)
            }
            _ => Err(self.error(problem)),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        if self.opens_empty(depth, b']')? {
            return Ok(Json::Array(Vec::new()));
        }
        let start = self.items.len();
        loop {
            let item = self.value(depth)?;
            self.items.push(item);
            if !self.continues(b']', "expected `,` or `]`")? {
                return Ok(Json::Array(self.items.drain(start..).collect()));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        if self.opens_empty(depth, b'}')? {
            return Ok(Json::Object(Vec::new()));
        }
        let start = self.members.len();
        loop {
            let key = self.key()?;
            let value = self.value(depth)?;
            self.members.push((key, value));
            if !self.continues(b'}', "expected `,` or `}`")? {
                return Ok(Json::Object(self.members.drain(start..).collect()));
            }
        }
    }

    /// A member's key and the `:` after it.
    fn key(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.whitespace();
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a key"));
        }
        let key = self.string()?;
        self.whitespace();
        if self.peek() != Some(b':') {
            return Err(self.error("expected `:`"));
        }
        self.at += 1;
        Ok(key)
    }

    /// The outermost object of [`parse_list`], from its `{`: as `object`, but the first
    /// array-valued member `is_list` accepts is handed to `each` item by item. Returns the
    /// object and the number of items.
    fn list_object(
        &mut self,
        is_list: fn(&str) -> bool,
        each: &mut ItemReader<'_, 'a>,
    ) -> Result<(Json<'a>, usize), ListError> {
        const DEPTH: usize = 1;
        let mut members = Vec::new();
        let mut items = 0;
        if self.opens_empty(DEPTH, b'}')? {
            return Ok((Json::Object(members), items));
        }
        let mut list_found = false;
        loop {
            let key = self.key()?;
            let listed = !list_found && is_list(&key);
            list_found |= listed;
            self.whitespace();
            let value = if listed && self.peek() == Some(b'[') {
                items = self.items_to(DEPTH + 1, &key, each)?;
                Json::Array(Vec::new())
            } else {
                self.value(DEPTH)?
            };
            members.push((key, value));
            if !self.continues(b'}', "expected `,` or `}`")? {
                return Ok((Json::Object(members), items));
            }
        }
    }

    /// An array from its `[`, each element handed to `each` as it is read and then dropped.
    fn items_to(
        &mut self,
        depth: usize,
        key: &str,
        each: &mut ItemReader<'_, 'a>,
    ) -> Result<usize, ListError> {
        if self.opens_empty(depth, b']')? {
            return Ok(0);
        }
        let mut index = 0;
        loop {
            let item = self.value(depth)?;
            each(key, index, &item).map_err(ListError::Item)?;
            index += 1;
            if !self.continues(b']', "expected `,` or `]`")? {
                return Ok(index);
            }
        }
    }

    /// A string, from its opening quote. Borrowed unless it has escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.at += 1;
        let start = self.at;
        let bytes = self.text.as_bytes();
        // Most strings have no escapes: find where this one stops being plain text at once.
        let rest = bytes.get(start..).unwrap_or_default();
        let length = plain_run(rest);
        let plain = rest.get(length).map(|&b| (start + length, b));
        match plain {
            Some((end, b'"')) => {
                self.at = end + 1;
                return self.slice(start, end).map(Cow::Borrowed);
            }
            Some((end, b'\\')) => self.at = end,
            Some((end, _)) => {
                self.at = end;
                return Err(self.error("control character in a string"));
            }
            None => {
                self.at = bytes.len();
                return Err(self.error("unterminated string"));
            }
        }
        let mut owned = String::from(self.slice(start, self.at)?);
        loop {
            match bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = match bytes.get(self.at) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err(self.error("invalid escape")),
                    };
                    self.at += 1;
                    owned.push(escaped);
                }
                Some(0..0x20) => return Err(self.error("control character in a string")),
                Some(_) => {
                    // Copy up to the next quote or backslash at once; both are ASCII, so the
                    // slice ends on a character boundary.
                    let run = plain_run(self.rest().as_bytes());
                    owned.push_str(self.slice(self.at, self.at + run)?);
                    self.at += run;
                }
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// `\uXXXX`, with `at` on the `u`; a surrogate pair takes both escapes. Leaves `at` on the
    /// last hex digit.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                let after = self.text.get(self.at + 1..).unwrap_or_default();
                if !after.starts_with("\\u") {
                    return Err(self.error("lone surrogate in a string"));
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone surrogate in a string"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone surrogate in a string")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid escape"))
    }

    /// The four hex digits after the `u` at `at`; leaves `at` on the last one.
    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .text
            .get(self.at + 1..self.at + 5)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.at += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Json<'a>, SyntaxError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.required_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.required_digits()?;
        }
        self.slice(start, self.at)
            .map(|text| Json::Number(Cow::Borrowed(text)))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), SyntaxError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error("invalid number"));
        }
        self.digits();
        Ok(())
    }
}

/// How many bytes at the start of `bytes` are plain string text: up to the first `"`, `\` or
/// control character, or all of them. Strings are most of Harvest's text, so they are scanned
/// eight bytes at a time (SWAR): a byte of a word is one of the three when subtracting from it
/// borrows. Only bytes after the first such byte can be misjudged, and they are not looked at.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let below = |word: u64, byte: u8| word.wrapping_sub(ONES * u64::from(byte)) & !word & HIGHS;
    let mut at = 0;
    while let Some(Ok(chunk)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        let word = u64::from_le_bytes(chunk);
        let ends = below(word ^ (ONES * u64::from(b'"')), 1)
            | below(word ^ (ONES * u64::from(b'\\')), 1)
            | below(word, 0x20);
        if ends != 0 {
            return at + (ends.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let tail = bytes.get(at..).unwrap_or_default();
    at + tail
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(tail.len())
}

impl<'a> Json<'a> {
    /// What kind of value this is, as a mismatch names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// The members of an object, to read fields from.
    pub fn fields(&self) -> Result<Fields<'_, 'a>, Mismatch> {
        match self {
            Json::Object(members) => Ok(Fields {
                members,
                next: 0,
                mismatch: None,
            }),
            other => Err(Mismatch::expected("an object", other)),
        }
    }

    /// The same value as serde_json's tree. Integers stay integers; other numbers become
    /// floats, as serde_json reads them.
    #[cfg(feature = "host-interfaces")]
    pub fn into_value(self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(text) => match (text.parse::<u64>(), text.parse::<i64>()) {
                (Ok(n), _) => n.into(),
                (_, Ok(n)) => n.into(),
                _ => text.parse::<f64>().map_or(Value::Null, Value::from),
            },
            Json::String(text) => Value::String(text.into_owned()),
            Json::Array(items) => Value::Array(items.into_iter().map(Json::into_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .into_iter()
                    .map(|(key, value)| (key.into_owned(), value.into_value()))
                    .collect(),
            ),
        }
    }

    /// A number that is a whole `u64`, else nothing.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// The member `key` of an object, else nothing.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The same value, borrowing nothing.
    pub fn into_owned(self) -> Json<'static> {
        let owned = |text: Cow<str>| Cow::Owned(text.into_owned());
        match self {
            Json::Null => Json::Null,
            Json::Bool(b) => Json::Bool(b),
            Json::Number(text) => Json::Number(owned(text)),
            Json::String(text) => Json::String(owned(text)),
            Json::Array(items) => Json::Array(items.into_iter().map(Json::into_owned).collect()),
            Json::Object(members) => Json::Object(
                members
                    .into_iter()
                    .map(|(key, value)| (owned(key), value.into_owned()))
                    .collect(),
            ),
        }
    }
}

/// The value as compact JSON text.
impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Number(text) => f.write_str(text),
            Json::String(text) => quoted(text, f),
            Json::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Json::Object(members) => {
                f.write_str("{")?;
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    quoted(key, f)?;
                    write!(f, ":{value}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// `text` as a JSON string.
fn quoted(text: &str, f: &mut fmt::Formatter) -> fmt::Result {
    f.write_str("\"")?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

/// Where a value does not have the shape its record needs.
#[derive(Debug, PartialEq)]
pub struct Mismatch {
    /// The path from the top of the answer, e.g. `time_entries[3].hours`; empty at the top.
    path: String,
    problem: String,
}

impl Mismatch {
    pub fn expected(what: &str, found: &Json) -> Mismatch {
        Mismatch {
            path: String::new(),
            problem: format!("expected {what}, found {}", found.kind()),
        }
    }

    pub fn new(problem: impl Into<String>) -> Mismatch {
        Mismatch {
            path: String::new(),
            problem: problem.into(),
        }
    }

    fn missing() -> Mismatch {
        Mismatch::new("missing")
    }

    /// The mismatch as seen from the object holding it under `key`.
    #[inline(never)]
    pub fn within(mut self, key: &str) -> Mismatch {
        if !self.path.is_empty() && !self.path.starts_with('[') {
            self.path.insert(0, '.');
        }
        self.path.insert_str(0, key);
        self
    }

    /// The mismatch as seen from the array holding it at `index`.
    pub fn at_index(mut self, index: usize) -> Mismatch {
        if !self.path.is_empty() && !self.path.starts_with('[') {
            self.path.insert(0, '.');
        }
        self.path.insert_str(0, &format!("[{index}]"));
        self
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.path.as_str() {
            "" => f.write_str(&self.problem),
            path => write!(f, "`{path}`: {}", self.problem),
        }
    }
}

/// An object's members, read field by field.
pub struct Fields<'j, 'a> {
    members: &'j [(Cow<'a, str>, Json<'a>)],
    /// Where the next search starts: fields are usually read in the order Harvest writes them,
    /// so each is found at once.
    next: usize,
    /// The first field [`Fields::read`] could not read.
    mismatch: Option<Mismatch>,
}

impl<'j, 'a> Fields<'j, 'a> {
    /// The value under `key`. Which one, should the key be written twice, is not defined:
    /// Harvest writes each key once, and tool arguments that repeat one are refused
    /// (`schema::conform_object`).
    #[cfg(test)]
    pub fn get(&mut self, key: &str) -> Option<&'j Json<'a>> {
        self.find(key, None)
    }

    /// As [`Fields::get`], looking first where `hint` says the key was found in the last
    /// object read as the same record, and leaving there where it is found now. Harvest writes
    /// every record of a type in one order, which need not be the order of the record's fields.
    fn find(&mut self, key: &str, hint: Option<&Hint>) -> Option<&'j Json<'a>> {
        // Lengths first: most keys differ in length, and the comparison is then one test.
        let is_key =
            |(k, _): &(Cow<str>, Json)| k.len() == key.len() && k.as_bytes() == key.as_bytes();
        let hinted = hint.map(|hint| usize::from(hint.load(Ordering::Relaxed)));
        if let Some(at) = hinted
            && let Some(member) = self.members.get(at)
            && is_key(member)
        {
            self.next = at + 1;
            return Some(&member.1);
        }
        let (head, tail) = self.members.split_at(self.next.min(self.members.len()));
        let found = tail
            .iter()
            .position(is_key)
            .map(|i| head.len() + i)
            .or_else(|| head.iter().position(is_key))?;
        self.next = found + 1;
        if let Some(hint) = hint {
            hint.store(u8::try_from(found).unwrap_or(u8::MAX), Ordering::Relaxed);
        }
        self.members.get(found).map(|(_, value)| value)
    }

    /// The field `key` read as a `T`; a missing key is `T`'s to judge (an option is `None`).
    pub fn take<T: FromJson>(&mut self, key: &str) -> Result<T, Mismatch> {
        self.take_hinted(key, None)
    }

    // Not inlined: one copy per field type rather than one per field keeps records small.
    #[inline(never)]
    fn take_hinted<T: FromJson>(&mut self, key: &str, hint: Option<&Hint>) -> Result<T, Mismatch> {
        match self.find(key, hint) {
            Some(value) => T::from_json(value),
            None => T::missing(),
        }
        .map_err(|m| m.within(key))
    }

    /// The field `key` read as a `T`, or, when it does not read, a stand-in, the mismatch kept
    /// for [`Fields::finish`]. A record reads every field this way and then finishes: one exit
    /// rather than one per field, each dropping the fields read before it, which made the
    /// record decoders several times larger.
    /// `hint` is the record's own for this field (see [`Fields::find`]).
    #[inline(never)]
    pub fn read<T: FromJson>(&mut self, key: &str, hint: &Hint) -> T {
        let read = self.take_hinted(key, Some(hint));
        self.kept(read)
    }

    /// As [`Fields::read`], with `T::default()` for a missing key.
    #[inline(never)]
    pub fn read_or_default<T: FromJson + Default>(&mut self, key: &str, hint: &Hint) -> T {
        let read = match self.find(key, Some(hint)) {
            Some(value) => T::from_json(value).map_err(|m| m.within(key)),
            None => Ok(T::default()),
        };
        self.kept(read)
    }

    fn kept<T: FromJson>(&mut self, read: Result<T, Mismatch>) -> T {
        read.unwrap_or_else(|mismatch| {
            self.mismatch.get_or_insert(mismatch);
            T::stand_in()
        })
    }

    /// `record`, unless a field did not read: then the first mismatch.
    pub fn finish<T>(self, record: T) -> Result<T, Mismatch> {
        match self.mismatch {
            Some(mismatch) => Err(mismatch),
            None => Ok(record),
        }
    }

    /// Every member, in order.
    pub fn members(&self) -> impl Iterator<Item = (&'j str, &'j Json<'a>)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// Where a record's field was last found among an object's members (see [`Fields::find`]): one
/// per field of each record type, kept in a static.
pub type Hint = AtomicU8;

/// A type read from a JSON value.
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> Result<Self, Mismatch>;

    /// Any value of the type, held in place of a field that did not read until the record is
    /// refused (see [`Fields::read`]).
    fn stand_in() -> Self;

    /// The value of a key the object lacks: a mismatch, except for an option.
    fn missing() -> Result<Self, Mismatch> {
        Err(Mismatch::missing())
    }
}

impl FromJson for bool {
    fn stand_in() -> Self {
        false
    }

    fn from_json(value: &Json) -> Result<Self, Mismatch> {
        match value {
            Json::Bool(b) => Ok(*b),
            other => Err(Mismatch::expected("a boolean", other)),
        }
    }
}

impl FromJson for String {
    fn stand_in() -> Self {
        String::new()
    }

    fn from_json(value: &Json) -> Result<Self, Mismatch> {
        match value {
            Json::String(text) => Ok(text.as_ref().to_owned()),
            other => Err(Mismatch::expected("a string", other)),
        }
    }
}

impl FromJson for f64 {
    fn stand_in() -> Self {
        0.0
    }

    fn from_json(value: &Json) -> Result<Self, Mismatch> {
        match value {
            // The parser checked the grammar, which Rust's float syntax includes.
            Json::Number(text) => text
                .parse()
                .map_err(|_| Mismatch::new(format!("{text} is not a number"))),
            other => Err(Mismatch::expected("a number", other)),
        }
    }
}

/// Whole numbers: a fraction, an exponent or a value out of the type's range is a mismatch.
macro_rules! integers {
    ($($t:ty),*) => {$(
        impl FromJson for $t {
            fn stand_in() -> Self {
                0
            }

            fn from_json(value: &Json) -> Result<Self, Mismatch> {
                match value {
                    Json::Number(text) => text.parse().map_err(|_| {
                        Mismatch::new(format!(
                            "expected a whole number from {} to {}, found {text}",
                            <$t>::MIN,
                            <$t>::MAX
                        ))
                    }),
                    other => Err(Mismatch::expected("a whole number", other)),
                }
            }
        }
    )*};
}

integers!(u8, u16, u32, u64, i32, i64);

impl<T: FromJson> FromJson for Option<T> {
    fn stand_in() -> Self {
        None
    }

    fn from_json(value: &Json) -> Result<Self, Mismatch> {
        match value {
            Json::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }

    fn missing() -> Result<Self, Mismatch> {
        Ok(None)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn stand_in() -> Self {
        Vec::new()
    }

    fn from_json(value: &Json) -> Result<Self, Mismatch> {
        match value {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| T::from_json(item).map_err(|m| m.at_index(i)))
                .collect(),
            other => Err(Mismatch::expected("an array", other)),
        }
    }
}

/// A `YYYY-MM-DD` date.
impl FromJson for chrono::NaiveDate {
    fn stand_in() -> Self {
        chrono::NaiveDate::default()
    }

    fn from_json(value: &Json) -> Result<Self, Mismatch> {
        match value {
            Json::String(text) => crate::validate::parse_date(text)
                .ok_or_else(|| Mismatch::new(format!("{text:?} is not a YYYY-MM-DD date"))),
            other => Err(Mismatch::expected("a YYYY-MM-DD date", other)),
        }
    }
}

/// Any value, unread: for answers whose body is not used.
pub struct Ignored;

impl FromJson for Ignored {
    fn stand_in() -> Self {
        Ignored
    }

    fn from_json(_: &Json) -> Result<Self, Mismatch> {
        Ok(Ignored)
    }
}

/// A record read from an object: each field from the key of its name, others ignored.
/// `json_record!(for Type { a, b })` for an existing type; or around a struct definition, which it
/// emits unchanged, where a field written `name: Type = default` takes `Type::default()` when
/// the key is missing.
macro_rules! json_record {
    (for $ty:path { $($field:ident),* $(,)? }) => {
        impl $crate::json::FromJson for $ty {
            fn from_json(value: &$crate::json::Json) -> Result<Self, $crate::json::Mismatch> {
                json_record!(@hints $($field),*);
                #[allow(unused_mut)]
                let mut fields = value.fields()?;
                let record = Self {
                    $($field: fields.read(stringify!($field), &HINTS[Field::$field as usize])),*
                };
                fields.finish(record)
            }

            fn stand_in() -> Self {
                Self { $($field: $crate::json::FromJson::stand_in()),* }
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty $(= $default:ident)?),*
            $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty),*
        }
        impl $crate::json::FromJson for $name {
            fn from_json(value: &$crate::json::Json) -> Result<Self, $crate::json::Mismatch> {
                json_record!(@hints $($field),*);
                let mut fields = value.fields()?;
                let record = Self { $($field: json_record!(@read fields, $field $(, $default)?)),* };
                fields.finish(record)
            }

            fn stand_in() -> Self {
                Self { $($field: $crate::json::FromJson::stand_in()),* }
            }
        }
    };
    (@read $fields:ident, $field:ident) => {
        $fields.read(stringify!($field), &HINTS[Field::$field as usize])
    };
    (@read $fields:ident, $field:ident, default) => {
        $fields.read_or_default(stringify!($field), &HINTS[Field::$field as usize])
    };
    // `Field::name as usize` is the index of a field, and `HINTS` holds one hint per field.
    (@hints $($field:ident),*) => {
        #[allow(non_camel_case_types, dead_code)]
        enum Field { $($field),* }
        static HINTS: [$crate::json::Hint; [$(stringify!($field)),*].len()] =
            [const { $crate::json::Hint::new(0) }; [$(stringify!($field)),*].len()];
    };
}

/// An enum read from a string: `json_enum!(Type { Variant = "text", ... })`.
macro_rules! json_enum {
    ($ty:path { $first:ident = $first_text:literal $(, $variant:ident = $text:literal)* $(,)? }) => {
        impl $crate::json::FromJson for $ty {
            fn stand_in() -> Self {
                use $ty as This;
                This::$first
            }

            fn from_json(value: &$crate::json::Json) -> Result<Self, $crate::json::Mismatch> {
                use $ty as This;
                match value {
                    $crate::json::Json::String(text) if text == $first_text => Ok(This::$first),
                    $($crate::json::Json::String(text) if text == $text => Ok(This::$variant),)*
                    $crate::json::Json::String(text) => Err($crate::json::Mismatch::new(format!(
                        concat!("{:?} is not one of ", $first_text $(, " ", $text)*),
                        text
                    ))),
                    other => Err($crate::json::Mismatch::expected("a string", other)),
                }
            }
        }
    };
}

pub(crate) use {json_enum, json_record};

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    /// The tree as serde_json's, to compare the two parsers.
    fn to_value(json: &Json) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(text) => match (text.parse::<u64>(), text.parse::<i64>()) {
                (Ok(n), _) => Value::from(n),
                (_, Ok(n)) => Value::from(n),
                _ => text.parse::<f64>().map_or(Value::Null, Value::from),
            },
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.to_string(), to_value(v)))
                    .collect(),
            ),
        }
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(Value::from),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The word-at-a-time scan stops where a byte-by-byte one would, wherever the stop
        /// falls in a word and whatever bytes follow it.
        #[test]
        fn plain_runs_end_at_the_first_quote_backslash_or_control_character(
            bytes in prop::collection::vec(
                prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..=0xff],
                0..40,
            )
        ) {
            let naive = bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(bytes.len());
            prop_assert_eq!(plain_run(&bytes), naive);
        }
    }

    proptest! {
        #[test]
        fn parses_what_serde_json_writes(value in any_value(), pretty in any::<bool>()) {
            let fail = |e: &dyn std::fmt::Display| TestCaseError::fail(e.to_string());
            let text = if pretty {
                serde_json::to_string_pretty(&value)
            } else {
                serde_json::to_string(&value)
            }
            .map_err(|e| fail(&e))?;
            let parsed = parse(text.as_bytes()).map_err(|e| fail(&e))?;
            prop_assert_eq!(to_value(&parsed), value.clone());
            // And what it writes reads back the same.
            let written = parsed.to_string();
            let reread = parse(written.as_bytes()).map_err(|e| fail(&e))?;
            prop_assert_eq!(to_value(&reread), value);
        }

        #[test]
        fn refuses_what_serde_json_refuses(text in "[\\[\\]{}:,\"0-9eE.+\\-a-z\\\\ ]{0,12}") {
            let ours = parse(text.as_bytes()).is_ok();
            let theirs = serde_json::from_str::<Value>(&text).is_ok();
            prop_assert_eq!(ours, theirs, "{:?}", text);
        }
    }

    /// What `parse_list` should give for `text`, by way of `parse`: the items of the first
    /// member `is_list` accepts, when it is an array, and the tree with that array emptied.
    fn list_by_parse(text: &str, is_list: fn(&str) -> bool) -> Option<(Vec<Value>, Value)> {
        let mut tree = parse(text.as_bytes()).ok()?;
        let mut items = Vec::new();
        if let Json::Object(members) = &mut tree
            && let Some((_, value)) = members.iter_mut().find(|(key, _)| is_list(key))
            && let Json::Array(list) = value
        {
            items = std::mem::take(list).iter().map(to_value).collect();
        }
        Some((items, to_value(&tree)))
    }

    fn list_by_stream(text: &str, is_list: fn(&str) -> bool) -> Option<(Vec<Value>, Value)> {
        let mut items = Vec::new();
        let mut keys = Vec::new();
        let list = parse_list(text.as_bytes(), is_list, &mut |key, index, item| {
            assert_eq!(index, items.len());
            keys.push(key.to_string());
            items.push(to_value(item));
            Ok(())
        })
        .ok()?;
        assert_eq!(list.items, items.len());
        assert!(keys.windows(2).all(|k| k[0] == k[1]));
        Some((items, to_value(&list.rest)))
    }

    proptest! {
        #[test]
        fn a_list_reads_as_the_whole_tree_would(
            members in prop::collection::vec(
                (prop_oneof![Just("page"), Just("items"), Just("other")], any_value()), 0..4),
            list in prop::collection::vec(any_value(), 0..4),
            position in 0usize..4,
        ) {
            let is_list: fn(&str) -> bool = |key| key != "page";
            let mut object = serde_json::Map::new();
            for (key, value) in members {
                object.insert(key.to_string(), value);
            }
            let mut members: Vec<(String, Value)> = object.into_iter().collect();
            members.insert(position.min(members.len()), ("items".into(), Value::Array(list)));
            let text = format!(
                "{{{}}}",
                members
                    .iter()
                    .map(|(k, v)| format!("{k:?}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            prop_assert_eq!(list_by_stream(&text, is_list), list_by_parse(&text, is_list));
        }

        #[test]
        fn a_list_refuses_what_parse_refuses(text in "[\\[\\]{}:,\"0-9a-z ]{0,16}") {
            let is_list: fn(&str) -> bool = |_| true;
            prop_assert_eq!(
                list_by_stream(&text, is_list).is_some(),
                parse(text.as_bytes()).is_ok(),
                "{:?}", text
            );
        }
    }

    #[test]
    fn a_list_stops_at_the_item_refused_or_the_text_broken() {
        let text = br#"{"total": 3, "items": [1, 2, 3], "page": "#;
        let mut seen = 0;
        let error = parse_list(text, |key| key == "items", &mut |_, index, _| {
            seen += 1;
            match index {
                1 => Err(Mismatch::new("no")),
                _ => Ok(()),
            }
        });
        assert!(matches!(error, Err(ListError::Item(m)) if m.to_string().contains("no")));
        assert_eq!(seen, 2, "nothing is read after the refused item");
        let error = parse_list(text, |key| key == "items", &mut |_, _, _| Ok(()));
        assert!(
            matches!(error, Err(ListError::Syntax(e)) if e.problem == "unexpected end of input")
        );
    }

    #[test]
    fn escapes_and_surrogate_pairs_are_decoded() -> Result<(), SyntaxError> {
        let parsed = parse(br#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#)?;
        assert_eq!(parsed, Json::String("a\"b\\c/d\né😀".into()));
        assert!(parse(br#""\ud83d""#).is_err());
        assert!(parse(br#""\ude00x""#).is_err());
        assert!(parse(b"\"tab\there\"").is_err());
        Ok(())
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let error = parse(deep.as_bytes()).unwrap_err();
        assert_eq!(error.problem, "nested too deeply");
        let fine = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(fine.as_bytes()).is_ok());
    }

    #[test]
    fn bad_text_is_located() {
        let error = parse(br#"{"a": 1,}"#).unwrap_err();
        assert_eq!(error.to_string(), "expected a key at byte 8");
        assert_eq!(parse(b"[1] 2").unwrap_err().problem, "trailing characters");
        assert_eq!(parse(b"\xff").unwrap_err().problem, "invalid UTF-8");
    }

    json_record! {
        #[derive(Debug, PartialEq)]
        struct Inner {
            hours: f64,
        }
    }

    json_record! {
        #[derive(Debug, PartialEq)]
        struct Outer {
            id: u64,
            notes: Option<String>,
            items: Vec<Inner>,
        }
    }

    #[test]
    fn records_read_their_fields_and_ignore_others() -> Result<(), String> {
        let outer: Outer =
            decode(br#"{"extra": [1, {"x": null}], "items": [{"hours": 1.5}], "id": 7}"#)?;
        assert_eq!(
            outer,
            Outer {
                id: 7,
                notes: None,
                items: vec![Inner { hours: 1.5 }]
            }
        );
        Ok(())
    }

    #[test]
    fn a_mismatch_names_its_path() {
        let error = decode::<Outer>(br#"{"id": 1, "items": [{"hours": 1}, {"hours": "2"}]}"#);
        assert_eq!(
            error.unwrap_err(),
            "`items[1].hours`: expected a number, found a string"
        );
        let error = decode::<Outer>(br#"{"id": 1.5, "items": []}"#);
        assert_eq!(
            error.unwrap_err(),
            "`id`: expected a whole number from 0 to 18446744073709551615, found 1.5"
        );
        let error = decode::<Outer>(br#"{"notes": "x", "items": []}"#);
        assert_eq!(error.unwrap_err(), "`id`: missing");
        let error = decode::<Outer>(br#"{"id": 1, "notes": 3}"#);
        assert_eq!(
            error.unwrap_err(),
            "`notes`: expected a string, found a number"
        );
    }

    /// A record's hints remember where each field was in the last object of its type; objects
    /// whose keys come in other orders, or lack some, still read right.
    #[test]
    fn records_read_right_whatever_order_each_object_has() -> Result<(), String> {
        let outers: Vec<Outer> = decode(
            br#"[{"id": 1, "notes": "a", "items": []},
                 {"items": [{"hours": 2}], "id": 2},
                 {"x": 0, "notes": "c", "items": [], "id": 3},
                 {"id": 4, "items": [], "notes": null}]"#,
        )?;
        let read: Vec<(u64, Option<&str>, usize)> = outers
            .iter()
            .map(|o| (o.id, o.notes.as_deref(), o.items.len()))
            .collect();
        assert_eq!(
            read,
            [
                (1, Some("a"), 0),
                (2, None, 1),
                (3, Some("c"), 0),
                (4, None, 0)
            ]
        );
        Ok(())
    }

    #[test]
    fn fields_are_found_in_any_order() -> Result<(), String> {
        let value = parse(br#"{"a": 1, "b": 2, "c": 3}"#).map_err(|e| e.to_string())?;
        let mut fields = value.fields().map_err(|e| e.to_string())?;
        assert_eq!(fields.get("c"), Some(&Json::Number("3".into())));
        assert_eq!(fields.get("a"), Some(&Json::Number("1".into())));
        assert_eq!(fields.get("b"), Some(&Json::Number("2".into())));
        assert_eq!(fields.get("d"), None);
        Ok(())
    }
}
