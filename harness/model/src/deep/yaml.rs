//! How deep YAML text nests, measured before a YAML parser sees it.
//!
//! serde_yaml_ng parses with libyaml, whose scanner spends time proportional to the
//! number of flow collections (`[`, `{`) open at each token: 100 000 nested
//! brackets (200 KB) cost it about a minute before serde_yaml_ng's own recursion
//! limit is ever consulted. This scanner follows libyaml's tokenizer closely enough
//! to know which brackets open collections and which are text (in quoted, plain and
//! block scalars, comments, tags), and tracks the block collections libyaml opens
//! (its indentation stack), in one pass over the bytes. It counts the collections
//! libyaml's parser adds on its own too: a single-pair mapping in a flow sequence
//! (`[a: b]`), a sequence at its mapping's indentation (`a:⏎- b`), so that its depth
//! is the nesting serde sees. It never stops at an error:
//! where libyaml would stop, it scans on, which can only make it report more depth
//! than libyaml would reach, never less.

/// Where nesting first went past the limit, or the deepest nesting seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Depth {
    /// The deepest nesting seen (up to the limit plus one: the scan stops there).
    pub deepest: usize,
    /// The line (from 1) and column (from 1) where `deepest` was reached.
    pub line: usize,
    pub column: usize,
}

/// The nesting of `text`, scanning no further than where it passes `limit`.
pub(super) fn depth(text: &str, limit: usize) -> Depth {
    let bytes = text.as_bytes();
    // libyaml's reader drops a byte-order mark at the start of the stream.
    let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut s = Scanner {
        s: bytes,
        i: start,
        line: 0,
        col: 0,
        flow: 0,
        flows: Vec::new(),
        pairs: 0,
        indent: -1,
        map: false,
        indentless: false,
        levels: Vec::new(),
        indentless_open: 0,
        allowed: true,
        key: None,
        limit,
        at: Depth {
            deepest: 0,
            line: 1,
            column: 1,
        },
    };
    s.run();
    s.at
}

/// A possible simple key of the block level (the one a `:` turns into a mapping
/// key, whose column places the block mapping).
#[derive(Debug, Clone, Copy)]
struct Key {
    line: usize,
    index: usize,
    col: usize,
}

/// A flow collection: a sequence (`[`) or a mapping, and for a sequence whether it
/// holds a single-pair mapping just now (`[a: b]`).
#[derive(Debug, Clone, Copy)]
struct Flow {
    seq: bool,
    pair: bool,
}

/// A block collection under the current one: its indentation and kind, and whether
/// a sequence at its indentation was open in it.
#[derive(Debug, Clone, Copy)]
struct Level {
    indent: isize,
    map: bool,
    indentless: bool,
}

#[derive(Debug)]
struct Scanner<'a> {
    s: &'a [u8],
    /// Byte offset; `line` and `col` (in characters) as libyaml counts them.
    i: usize,
    line: usize,
    col: usize,
    /// Open flow collections, and what each is.
    flow: usize,
    flows: Vec<Flow>,
    /// Flow sequences holding a single-pair mapping just now.
    pairs: usize,
    /// libyaml's `indent` (-1 outside any block collection), whether the block
    /// collection there is a mapping, whether a sequence at that indentation is open
    /// in it, and the levels under it: one per open block collection.
    indent: isize,
    map: bool,
    indentless: bool,
    levels: Vec<Level>,
    /// How many levels (this one and those under it) hold such a sequence.
    indentless_open: usize,
    /// libyaml's `simple_key_allowed`.
    allowed: bool,
    key: Option<Key>,
    limit: usize,
    at: Depth,
}

/// The length of the line break at `i` (LF, CR, CR LF, NEL, LS, PS), or 0.
fn break_len(s: &[u8], i: usize) -> usize {
    match s.get(i..) {
        Some([b'\r', b'\n', ..] | [0xC2, 0x85, ..]) => 2,
        Some([b'\r' | b'\n', ..]) => 1,
        Some([0xE2, 0x80, 0xA8 | 0xA9, ..]) => 3,
        _ => 0,
    }
}

/// The byte length of the UTF-8 character that starts with `b`.
fn width(b: u8) -> usize {
    match b {
        b if b & 0x80 == 0 => 1,
        b if b & 0xE0 == 0xC0 => 2,
        b if b & 0xF0 == 0xE0 => 3,
        b if b & 0xF8 == 0xF0 => 4,
        _ => 1,
    }
}

/// libyaml's `IS_ALPHA`: the characters of anchor names and tag handles.
fn alpha(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The characters of a tag's URI; `verbatim` (`!<…>`) adds `,`, `[` and `]`.
fn uri(b: u8, verbatim: bool) -> bool {
    alpha(b) || b";/?:@&=+$.%!~*'()".contains(&b) || (verbatim && b",[]".contains(&b))
}

impl Scanner<'_> {
    /// The byte `k` ahead, or 0 past the end (libyaml's buffer ends with NUL, and
    /// its reader refuses a NUL in the text).
    fn at(&self, k: usize) -> u8 {
        self.s.get(self.i + k).copied().unwrap_or(0)
    }
    fn end(&self) -> bool {
        self.at(0) == 0
    }
    fn is_break(&self, k: usize) -> bool {
        break_len(self.s, self.i + k) > 0
    }
    fn is_blank(&self, k: usize) -> bool {
        matches!(self.at(k), b' ' | b'\t')
    }
    fn is_breakz(&self, k: usize) -> bool {
        self.is_break(k) || self.at(k) == 0
    }
    fn is_blankz(&self, k: usize) -> bool {
        self.is_blank(k) || self.is_breakz(k)
    }
    /// `---` or `...` at the start of a line, then a blank or the end.
    fn document_marker(&self) -> bool {
        let three = |c: u8| self.at(0) == c && self.at(1) == c && self.at(2) == c;
        self.col == 0 && (three(b'-') || three(b'.')) && self.is_blankz(3)
    }

    /// One character (a line break counts as one line).
    fn skip(&mut self) {
        if self.is_break(0) {
            self.skip_line();
        } else if !self.end() {
            self.i += width(self.at(0));
            self.col += 1;
        }
    }
    fn skip_line(&mut self) {
        let n = break_len(self.s, self.i);
        if n > 0 {
            self.i += n;
            self.line += 1;
            self.col = 0;
        }
    }
    fn skip_to_break(&mut self) {
        while !self.is_breakz(0) {
            self.skip();
        }
    }

    fn note_depth(&mut self) {
        let depth = self.levels.len() + self.indentless_open + self.flow + self.pairs;
        if depth > self.at.deepest {
            self.at = Depth {
                deepest: depth,
                line: self.line + 1,
                column: self.col + 1,
            };
        }
    }
    /// A block collection (a mapping if `map`) opens at `col`, if deeper.
    fn roll(&mut self, col: usize, map: bool) {
        let col = col as isize;
        if self.flow == 0 && self.indent < col {
            self.levels.push(Level {
                indent: self.indent,
                map: self.map,
                indentless: self.indentless,
            });
            self.indent = col;
            self.map = map;
            self.indentless = false;
            self.note_depth();
        }
    }
    fn unroll(&mut self, col: isize) {
        if self.flow != 0 {
            return;
        }
        while self.indent > col {
            self.end_indentless();
            let under = self.levels.pop().unwrap_or(Level {
                indent: -1,
                map: false,
                indentless: false,
            });
            self.indent = under.indent;
            self.map = under.map;
            self.indentless = under.indentless;
        }
    }
    fn end_indentless(&mut self) {
        if self.indentless {
            self.indentless = false;
            self.indentless_open = self.indentless_open.saturating_sub(1);
        }
    }
    /// `?` or `:` in a flow sequence: the parser opens a single-pair mapping.
    fn pair(&mut self) {
        if let Some(top) = self.flows.last_mut() {
            if top.seq && !top.pair {
                top.pair = true;
                self.pairs += 1;
                self.note_depth();
            }
        }
    }
    fn end_pair(&mut self, top: Option<Flow>) {
        if top.is_some_and(|f| f.pair) {
            self.pairs = self.pairs.saturating_sub(1);
        }
    }
    fn save_key(&mut self) {
        if self.flow == 0 && self.allowed {
            self.key = Some(Key {
                line: self.line,
                index: self.i,
                col: self.col,
            });
        }
    }
    fn remove_key(&mut self) {
        if self.flow == 0 {
            self.key = None;
        }
    }

    fn run(&mut self) {
        while self.at.deepest <= self.limit {
            self.skip_to_token();
            if let Some(k) = self.key {
                if k.line < self.line || k.index + 1024 < self.i {
                    self.key = None;
                }
            }
            self.unroll(self.col as isize);
            if self.end() {
                break;
            }
            // The next key of a mapping ends a sequence at the mapping's indentation.
            if self.flow == 0
                && self.col as isize == self.indent
                && !(self.at(0) == b'-' && self.is_blankz(1))
            {
                self.end_indentless();
            }
            let before = self.i;
            self.token();
            if self.i == before {
                // A character that starts no token: libyaml stops; scan on.
                self.skip();
            }
        }
    }

    /// Blanks, comments and line breaks between tokens.
    fn skip_to_token(&mut self) {
        loop {
            if self.col == 0
                && self
                    .s
                    .get(self.i..)
                    .is_some_and(|r| r.starts_with(b"\xEF\xBB\xBF"))
            {
                self.skip();
            }
            while self.at(0) == b' ' || ((self.flow > 0 || !self.allowed) && self.at(0) == b'\t') {
                self.skip();
            }
            if self.at(0) == b'#' {
                self.skip_to_break();
            }
            if !self.is_break(0) {
                return;
            }
            self.skip_line();
            if self.flow == 0 {
                self.allowed = true;
            }
        }
    }

    fn token(&mut self) {
        let c = self.at(0);
        if self.col == 0 && c == b'%' {
            self.unroll(-1);
            self.remove_key();
            self.allowed = false;
            self.skip_to_break();
            return;
        }
        if self.document_marker() {
            self.unroll(-1);
            self.remove_key();
            self.allowed = false;
            self.i += 3;
            self.col += 3;
            return;
        }
        match c {
            b'[' | b'{' => {
                self.save_key();
                self.flow += 1;
                self.flows.push(Flow {
                    seq: c == b'[',
                    pair: false,
                });
                self.note_depth();
                self.allowed = true;
                self.skip();
            }
            b']' | b'}' => {
                self.remove_key();
                self.flow = self.flow.saturating_sub(1);
                let top = self.flows.pop();
                self.end_pair(top);
                self.allowed = false;
                self.skip();
            }
            b',' => {
                self.remove_key();
                let top = self.flows.last().copied();
                self.end_pair(top);
                if let Some(f) = self.flows.last_mut() {
                    f.pair = false;
                }
                self.allowed = true;
                self.skip();
            }
            b'-' if self.is_blankz(1) => {
                self.roll(self.col, false);
                if self.flow == 0
                    && self.col as isize == self.indent
                    && self.map
                    && !self.indentless
                {
                    self.indentless = true;
                    self.indentless_open += 1;
                    self.note_depth();
                }
                self.remove_key();
                self.allowed = true;
                self.skip();
            }
            b'?' if self.flow > 0 || self.is_blankz(1) => {
                self.roll(self.col, true);
                self.pair();
                self.remove_key();
                self.allowed = self.flow == 0;
                self.skip();
            }
            b':' if self.flow > 0 || self.is_blankz(1) => self.value(),
            b'*' | b'&' => {
                self.save_key();
                self.allowed = false;
                self.skip();
                while alpha(self.at(0)) {
                    self.skip();
                }
            }
            b'!' => {
                self.save_key();
                self.allowed = false;
                self.tag();
            }
            b'|' | b'>' if self.flow == 0 => {
                self.remove_key();
                self.allowed = true;
                self.block_scalar();
            }
            b'\'' | b'"' => {
                self.save_key();
                self.allowed = false;
                self.quoted(c == b'\'');
            }
            _ if self.plain_starts() => {
                self.save_key();
                self.allowed = false;
                self.plain();
            }
            _ => {}
        }
    }

    /// `:` as a value indicator: in the block context, a simple key before it opens
    /// a block mapping at the key's column.
    fn value(&mut self) {
        if self.flow == 0 {
            if let Some(k) = self.key.take() {
                self.roll(k.col, true);
                self.allowed = false;
            } else {
                self.roll(self.col, true);
                self.allowed = true;
            }
        } else {
            self.pair();
            self.allowed = false;
        }
        self.skip();
    }

    fn plain_starts(&self) -> bool {
        let c = self.at(0);
        !(self.is_blankz(0) || b"-?:,[]{}#&*!|>'\"%@`".contains(&c))
            || (c == b'-' && !self.is_blank(1))
            || (self.flow == 0 && (c == b'?' || c == b':') && !self.is_blankz(1))
    }

    fn tag(&mut self) {
        let verbatim = self.at(1) == b'<';
        self.skip();
        if verbatim {
            self.skip();
        }
        while uri(self.at(0), verbatim) {
            self.skip();
        }
        if verbatim && self.at(0) == b'>' {
            self.skip();
        }
    }

    fn quoted(&mut self, single: bool) {
        let quote = if single { b'\'' } else { b'"' };
        self.skip();
        loop {
            if self.document_marker() || self.end() {
                return;
            }
            while !self.is_blankz(0) {
                let c = self.at(0);
                if single && c == b'\'' && self.at(1) == b'\'' {
                    self.skip();
                    self.skip();
                } else if c == quote {
                    break;
                } else if !single && c == b'\\' && self.is_break(1) {
                    self.skip();
                    self.skip_line();
                    break;
                } else if !single && c == b'\\' {
                    let hex = match self.at(1) {
                        b'x' => 2,
                        b'u' => 4,
                        b'U' => 8,
                        _ => 0,
                    };
                    self.skip();
                    self.skip();
                    for _ in 0..hex {
                        if !self.at(0).is_ascii_hexdigit() {
                            break;
                        }
                        self.skip();
                    }
                } else {
                    self.skip();
                }
            }
            if self.at(0) == quote {
                self.skip();
                return;
            }
            while self.is_blank(0) || self.is_break(0) {
                self.skip();
            }
        }
    }

    fn plain(&mut self) {
        let indent = self.indent + 1;
        let mut leading_blanks = false;
        loop {
            if self.document_marker() || self.at(0) == b'#' {
                break;
            }
            while !self.is_blankz(0) {
                let c = self.at(0);
                let ends = (c == b':' && self.is_blankz(1))
                    || (self.flow > 0
                        && (b",[]{}".contains(&c)
                            || (c == b':' && b",?[]{}".contains(&self.at(1)))));
                if ends {
                    break;
                }
                self.skip();
                leading_blanks = false;
            }
            if !(self.is_blank(0) || self.is_break(0)) {
                break;
            }
            while self.is_blank(0) || self.is_break(0) {
                if self.is_break(0) {
                    leading_blanks = true;
                }
                self.skip();
            }
            if self.flow == 0 && (self.col as isize) < indent {
                break;
            }
        }
        if leading_blanks {
            self.allowed = true;
        }
    }

    fn block_scalar(&mut self) {
        self.skip();
        let mut increment = 0isize;
        let digit = |b: u8| (b'1'..=b'9').contains(&b);
        if matches!(self.at(0), b'+' | b'-') {
            self.skip();
            if digit(self.at(0)) {
                increment = isize::from(self.at(0) - b'0');
                self.skip();
            }
        } else if digit(self.at(0)) {
            increment = isize::from(self.at(0) - b'0');
            self.skip();
            if matches!(self.at(0), b'+' | b'-') {
                self.skip();
            }
        }
        while self.is_blank(0) {
            self.skip();
        }
        if self.at(0) == b'#' {
            self.skip_to_break();
        }
        if !self.is_breakz(0) {
            // libyaml stops here; scan on as tokens.
            return;
        }
        self.skip_line();
        let mut indent = 0isize;
        if increment != 0 {
            indent = if self.indent >= 0 {
                self.indent + increment
            } else {
                increment
            };
        }
        self.block_breaks(&mut indent);
        while self.col as isize == indent && !self.end() {
            self.skip_to_break();
            self.skip_line();
            self.block_breaks(&mut indent);
        }
    }

    /// Blank lines and indentation of a block scalar; settles its indentation.
    fn block_breaks(&mut self, indent: &mut isize) {
        let mut most = 0isize;
        loop {
            while (*indent == 0 || (self.col as isize) < *indent) && self.at(0) == b' ' {
                self.skip();
            }
            most = most.max(self.col as isize);
            if !self.is_break(0) {
                break;
            }
            self.skip_line();
        }
        if *indent == 0 {
            *indent = most.max(self.indent + 1).max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    fn d(text: &str) -> usize {
        depth(text, 1000).deepest
    }

    #[test]
    fn block_and_flow_collections_are_counted_together() {
        let expectations = "implementation: x\nknown_failures:\n  - case: a\n    reason: b\n";
        assert_eq!(d(expectations), 3, "map, sequence, map");
        assert_eq!(d("a: [b, {c: d}]\n"), 3);
        assert_eq!(d("- - - x\n"), 3);
        assert_eq!(d("a:\n  b:\n    c: [1]\n"), 4);
        assert_eq!(d("[[1], [[2]]]"), 3);
        assert_eq!(
            d("[a: [b: 1], c]"),
            4,
            "single-pair mappings in flow sequences"
        );
        assert_eq!(d("{a: [b]}"), 2);
        assert_eq!(
            d("a:\n- b\n- c: [1]\nd: 1\n"),
            4,
            "a sequence at its mapping's indentation"
        );
        assert_eq!(d("a:\n- b\nd: [1]\n"), 2, "ended by the next key");
        assert_eq!(d("plain text"), 0);
        assert_eq!(d(""), 0);
        assert_eq!(d("a: 1\r\nb:\r\n  c: [[1]]\r\n"), 4, "CR LF");
    }

    #[test]
    fn brackets_in_scalars_and_comments_are_text() {
        assert_eq!(d("a: \"[[[[\"\n"), 1, "double-quoted");
        assert_eq!(d("a: \"x\\\"[[[\"\n"), 1, "an escaped quote");
        assert_eq!(
            d("a: 'it''s [[[['\n"),
            1,
            "single-quoted, with a doubled quote"
        );
        assert_eq!(d("# [[[[\na: 1\n"), 1, "a comment");
        assert_eq!(d("a: b # [[[\n"), 1, "a comment after a value");
        assert_eq!(d("a: see [1] and [\nb: c\n"), 1, "plain text");
        assert_eq!(
            d("a: |\n  [[[[\n  ]]]\nb: c\n"),
            1,
            "a literal block scalar"
        );
        assert_eq!(
            d("a: >-\n  {{{\n\n  {{\nb: [1]\n"),
            2,
            "a folded block scalar, then a flow"
        );
        assert_eq!(d("a: !<tag[[[> x\n"), 1, "a verbatim tag");
        assert_eq!(
            d("a: \"multi\n  line [[[ \"\nb: 1\n"),
            1,
            "a quoted scalar over lines"
        );
    }

    #[test]
    fn text_that_only_looks_like_a_scalar_does_not_hide_structure() {
        // A plain scalar goes on over an indented line: the quote there is text, and
        // the flow collection on the next key is structure.
        assert_eq!(d("a: x\n  'y [[[\nb: [[1]]\nc: 'z'\n"), 3);
        // An apostrophe in a plain scalar of a flow sequence opens nothing.
        assert_eq!(d("a: [it's, [x], \"]]]]\", [[1]]]\n"), 4);
        // A tag ends at a comma in a flow collection; what follows is structure.
        assert_eq!(d("[!t,[[1]]]"), 3);
        // A block scalar ends where its indentation does.
        assert_eq!(d("a: |\n  'text\nb: [[[1]]]\nc: 'x'\n"), 4);
        // Unicode line breaks end comments, as libyaml reads them.
        assert_eq!(d("# c\u{2028}[[[[1]]]]"), 4);
        assert_eq!(d("# c\u{85}[[1]]"), 2);
        // A byte-order mark opens the text and nothing else.
        assert_eq!(d("\u{feff}- [x]\n"), 2);
    }

    #[test]
    fn the_scan_stops_where_the_nesting_passes_the_limit() {
        let deep = format!("a:\n  b: {}1{}", "[".repeat(100), "]".repeat(100));
        let at = depth(&deep, 64);
        assert_eq!(
            at,
            Depth {
                deepest: 65,
                line: 2,
                column: 68
            }
        );
    }
}
