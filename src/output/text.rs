//! Text layout for people: padding that never panics on long input, widths
//! that ignore colour escapes, tables, durations.

/// The width of `s` on a terminal, ignoring ANSI escape sequences
/// (characters, not bytes; wide characters count as one).
pub fn visible_width(s: &str) -> usize {
    let mut width = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        width += 1;
    }
    width
}

/// `s` padded on the left to `width` (no limit on either: `format!`'s
/// width argument panics past 65,535).
pub fn pad_left(s: &str, width: usize) -> String {
    let w = visible_width(s);
    let mut out = String::with_capacity(s.len() + width.saturating_sub(w));
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out.push_str(s);
    out
}

/// `s` padded on the right to `width`.
pub fn pad_right(s: &str, width: usize) -> String {
    let w = visible_width(s);
    let mut out = String::with_capacity(s.len() + width.saturating_sub(w));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// A row of cells padded to fixed widths, two spaces apart, no trailing
/// blanks: for tables that stream row by row.
pub fn row(cells: &[String], widths: &[usize]) -> String {
    let mut out = String::new();
    let last = cells.len().saturating_sub(1);
    for (i, c) in cells.iter().enumerate() {
        if i == last {
            out.push_str(c);
        } else {
            out.push_str(&pad_right(c, widths.get(i).copied().unwrap_or(0)));
            out.push_str("  ");
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Renders rows as an aligned table with a header, no borders; colour
/// escapes do not count as width (tabled's `ansi` feature).
pub fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut builder = tabled::builder::Builder::default();
    builder.push_record(header.iter().map(|h| h.to_string()));
    for row in rows {
        builder.push_record(row);
    }
    let mut t = builder.build();
    t.with(tabled::settings::Style::blank());
    t.with(tabled::settings::Padding::new(0, 1, 0, 0));
    // The last column's right padding would leave trailing blanks.
    let mut out: String = t
        .to_string()
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    if out.is_empty() {
        out.push('\n');
    }
    out
}

/// `1 probe`, `2 probes`: a count with its noun (`many` past one, and for
/// none).
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(count(1, "probe", "probes"), "1 probe");
        assert_eq!(count(0, "probe", "probes"), "0 probes");
        assert_eq!(count(2, "address", "addresses"), "2 addresses");
    }
    use colored::Colorize;

    #[test]
    fn padding_never_panics_and_ignores_colour() {
        let long = "x".repeat(70_000);
        assert_eq!(pad_left(&long, 70_001).len(), 70_001);
        colored::control::set_override(true);
        let red = "ab".red().to_string();
        assert_eq!(visible_width(&red), 2);
        assert_eq!(visible_width(&pad_right(&red, 5)), 5);
        colored::control::unset_override();
    }

    #[test]
    fn coloured_tables_stay_aligned() {
        colored::control::set_override(true);
        let t = table(
            &["PORT", "STATE"],
            vec![
                vec!["22".into(), "open".green().to_string()],
                vec!["8080".into(), "closed".into()],
            ],
        );
        colored::control::unset_override();
        assert!(t.contains('\x1b'), "{t:?}");
        let strip = |l: &str| {
            let mut out = String::new();
            let mut it = l.chars().peekable();
            while let Some(c) = it.next() {
                if c == '\x1b' {
                    for c in it.by_ref() {
                        if c.is_ascii_alphabetic() {
                            break;
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            out
        };
        let lines: Vec<String> = t.lines().map(strip).collect();
        assert_eq!(lines[0].find("STATE"), lines[1].find("open"), "{lines:?}");
        assert_eq!(lines[0].find("STATE"), lines[2].find("closed"), "{lines:?}");
    }

    #[test]
    fn streamed_rows() {
        assert_eq!(
            row(&["a".into(), "bb".into(), "c".into()], &[3, 3]),
            "a    bb   c\n"
        );
    }
}
