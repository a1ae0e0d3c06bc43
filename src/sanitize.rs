//! Escaping of untrusted text (file contents, DNS names, banners) before it
//! reaches a terminal, so it can never move the cursor or change colours.

use std::borrow::Cow;

/// Replaces control characters (C0, DEL, C1) and the bidirectional
/// overrides with visible escapes (`\n`, `\t`, `\x1b`, `\u{202e}`).
/// Backslashes are left alone: the result is for eyes, not for parsing.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// Escapes raw bytes that may not be UTF-8 (network payloads).
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&escape(chunk.valid()));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Strings as a Python list shows them, escaped: `['a', 'b']` (the seeds'
/// gethostbyname_ex / gethostbyaddr output).
pub fn python_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("'{}'", escape(s))).collect();
    format!("[{}]", quoted.join(", "))
}

/// Untrusted or user text to quote inside a message: escaped, and cut to
/// `max` characters with the original length noted, so a 50 MB argument
/// makes a short error line.
pub fn brief(text: &str, max: usize) -> String {
    let escaped = escape(text);
    if escaped.chars().count() <= max {
        return escaped.into_owned();
    }
    let cut: String = escaped.chars().take(max).collect();
    format!("{cut}... ({} bytes)", text.len())
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        let table = [
            ("plain text", "plain text"),
            ("a\x1b[31mred", "a\\x1b[31mred"),
            ("line\nbreak\r\t", "line\\nbreak\\r\\t"),
            ("bell\x07", "bell\\x07"),
            ("del\x7f", "del\\x7f"),
            ("c1\u{9b}", "c1\\x9b"),
            ("rtl\u{202e}txt", "rtl\\u{202e}txt"),
            ("ünïcode ok", "ünïcode ok"),
        ];
        for (input, want) in table {
            assert_eq!(escape(input), want, "{input:?}");
        }
    }

    #[test]
    fn brief_cuts_long_text() {
        assert_eq!(brief("short", 10), "short");
        let b = brief(&"x".repeat(1000), 10);
        assert_eq!(b, "xxxxxxxxxx... (1000 bytes)");
    }

    #[test]
    fn escapes_invalid_utf8() {
        assert_eq!(escape_bytes(b"ok\xff\x1b!"), "ok\\xff\\x1b!");
    }
}
