//! Completions and man pages are generated from clap and committed; this
//! test fails, naming the stale file, when they differ. UPDATE_ASSETS=1
//! rewrites them.

use std::path::Path;

#[test]
fn generated_assets_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var("UPDATE_ASSETS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (rel, content) in netkit::assets::render_all() {
        let path = root.join(&rel);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &content).unwrap();
            continue;
        }
        if std::fs::read(&path).ok().as_deref() != Some(content.as_slice()) {
            stale.push(rel.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run UPDATE_ASSETS=1 cargo test): {stale:?}"
    );
}

#[test]
fn every_man_page_has_exit_status_and_examples() {
    for (rel, content) in netkit::assets::render_all() {
        if rel.starts_with("man") {
            let text = String::from_utf8(content).unwrap();
            assert!(text.contains(".SH \"EXIT STATUS\""), "{}", rel.display());
            assert!(text.contains(".SH EXAMPLES"), "{}", rel.display());
            let server = rel.ends_with("netkit-echo-server.1");
            assert_eq!(text.contains("\\fB130\\fR"), !server, "{}", rel.display());
        }
    }
    let names: Vec<String> = netkit::assets::render_all()
        .into_iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    for sub in netkit::cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .filter(|n| n != "help")
    {
        assert!(names.contains(&format!("man/netkit-{sub}.1")), "{names:?}");
    }
}

/// The README and docs/exit-codes.md list exactly the codes of src/exit.rs.
#[test]
fn documented_exit_codes_match_the_enum() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let table: String = netkit::exit::Exit::ALL
        .iter()
        .map(|e| format!("| {} | {} |\n", e.code(), e.meaning()))
        .collect();
    let text = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        text.contains(&format!("| code | meaning |\n| --- | --- |\n{table}")),
        "README.md exit table differs from src/exit.rs"
    );
}

/// docs/json.md documents every `"type"` the commands print.
#[test]
fn json_doc_names_every_type() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md"))
        .unwrap();
    for ty in [
        "address",
        "byte_order",
        "service",
        "service_entry",
        "protocol",
        "protocol_entry",
    ] {
        assert!(
            text.contains(&format!("`\"type\": \"{ty}\"`")),
            "docs/json.md lacks {ty}"
        );
    }
}
