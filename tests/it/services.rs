//! `netkit services`: the seeds' loops, aliases, the built-in fallback, and
//! equality with glibc's getservbyname/getservbyport for every entry.

use serde_json::{Value, json};

use crate::support::{Sandbox, code, json_lines, run, stdout};

#[test]
fn seed_url_loop_keeps_its_alignment() {
    let out = run([
        "services",
        "--builtin",
        "http://www.python.org",
        "https://www.mybank.com",
        "ftp://prep.ai.mit.edu",
        "gopher://gopher.micro.umn.edu",
        "smtp://mail.example.com",
        "imap://mail.example.com",
        "imaps://mail.example.com",
        "pop3://pop.example.com",
        "pop3s://pop.example.com",
    ]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out),
        "  http : 80\n https : 443\n   ftp : 21\ngopher : 70\n  smtp : 25\n  imap : 143\n imaps : 993\n  pop3 : 110\n pop3s : 995\n"
    );
}

#[test]
fn ports_back_to_names() {
    let out = run([
        "--json",
        "services",
        "--builtin",
        "80",
        "443",
        "21",
        "70",
        "25",
        "143",
        "993",
        "110",
        "995",
    ]);
    let names: Vec<String> = json_lines(&out)
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    let imap = names[5].clone();
    assert!(imap == "imap" || imap == "imap2", "{imap}");
    assert_eq!(
        names,
        vec![
            "http",
            "https",
            "ftp",
            "gopher",
            "smtp",
            imap.as_str(),
            "imaps",
            "pop3",
            "pop3s"
        ]
    );
}

#[test]
fn aliases_are_the_same_entry() {
    let v = json_lines(&run([
        "--json",
        "services",
        "--builtin",
        "imap",
        "imap2",
        "www",
        "http",
    ]));
    assert_eq!(v[0]["port"], 143);
    assert_eq!(v[0]["name"], v[1]["name"]);
    assert_eq!(v[2]["name"], "http");
    assert_eq!(v[2]["port"], 80);
    assert!(v[3]["aliases"].as_array().unwrap().contains(&json!("www")));
}

#[test]
fn protocol_filter_and_suffix() {
    let v = json_lines(&run([
        "--json",
        "services",
        "--builtin",
        "--proto",
        "udp",
        "53",
        "ssh",
    ]));
    assert_eq!(v[0]["name"], "domain");
    assert_eq!(v[0]["protocols"], json!(["udp"]));
    assert_eq!(
        v[1]["error"]["code"], "not_found",
        "ssh has no udp entry in netbase"
    );
    let v = json_lines(&run(["--json", "services", "--builtin", "53/tcp"]));
    assert_eq!(v[0]["protocol"], "tcp");
    assert_eq!(v[0]["entries"].as_array().unwrap().len(), 1);
}

#[test]
fn not_found_names_the_case_mistake() {
    let out = run(["--json", "services", "--builtin", "HTTP"]);
    assert_eq!(code(&out), 1);
    let v = json_lines(&out);
    assert!(
        v[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean 'http'")
    );
    assert_eq!(v[0]["entries"], json!([]));
    assert_eq!(v[0]["port"], Value::Null);
}

#[test]
fn all_lists_every_entry_with_its_source() {
    let v = json_lines(&run([
        "--json",
        "services",
        "--all",
        "--builtin",
        "--proto",
        "udp",
    ]));
    assert!(v.len() > 50);
    assert!(v.iter().all(|e| e["protocol"] == "udp"
        && e["source"] == "builtin"
        && e["type"] == "service_entry"));
    let human = stdout(&run(["services", "--all", "--builtin"]));
    let header: Vec<&str> = human.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, vec!["NAME", "PORT", "PROTO", "ALIASES"]);
}

#[test]
fn other_file_with_db() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("services");
    std::fs::write(
        &path,
        "custom 4242/tcp cust # ours\nevil\x1b[31m 4243/tcp\n",
    )
    .unwrap();
    let out = run(["services", "--db", path.to_str().unwrap(), "cust", "4243"]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out),
        "cust : 4242\n4243 : evil\\x1b[31m\n",
        "control characters escaped"
    );
}

#[test]
fn builtin_table_when_the_system_file_is_missing() {
    let Some(sb) = Sandbox::new("services builtin fallback") else {
        return;
    };
    let sb = sb.hide_etc("services");
    let out = sb.netkit(&["--json", "services", "http"]);
    assert_eq!(code(&out), 0, "{}", crate::support::stderr(&out));
    let v = json_lines(&out);
    assert_eq!(
        (v[0]["port"].as_u64(), v[0]["source"].as_str()),
        (Some(80), Some("builtin"))
    );
    let out = sb.netkit(&["services", "-v", "http"]);
    assert!(stdout(&out).contains("builtin"));
}

const TRICKY: &str = "# tricky services file
http\t\t80/tcp\t\twww www-http\t# comment
http\t\t80/udp
alias-dup\t8080/tcp\thttp-alt
http-alt\t8081/tcp\t\t\t# a name that is an earlier alias
  tabbed \t 1234/tcp\ta\tb\tc
comment#inline\t99/tcp
mixed\t\t555/udp
mixed\t\t556/tcp
sctp-only\t9999/sctp
upper\t\t7000/tcp\tUPPER
noport
bad\t\tx/tcp
zero\t\t0/tcp
hex\t\t0x50/tcp
oct\t\t010/udp
plus\t\t+81/tcp
eight\t\t08/tcp
";

/// Every name, alias and port of the table, asked of netkit and of glibc
/// (through Python's socket module) inside the same sandbox.
fn compare_with_glibc(sb: &Sandbox) {
    let all = json_lines(&sb.netkit(&["--json", "services", "--all"]));
    assert!(!all.is_empty());
    let mut names: Vec<String> = Vec::new();
    let mut ports: Vec<u64> = Vec::new();
    for e in &all {
        for n in std::iter::once(&e["name"]).chain(e["aliases"].as_array().unwrap()) {
            let n = n.as_str().unwrap().to_string();
            if !names.contains(&n) {
                names.push(n);
            }
        }
        let p = e["port"].as_u64().unwrap();
        if !ports.contains(&p) {
            ports.push(p);
        }
    }
    for proto in [None, Some("tcp"), Some("udp"), Some("sctp")] {
        let script = format!(
            "import socket, json\nproto = {proto}\nfor n in {names:?}:\n    \
             try: print(json.dumps(socket.getservbyname(n, *([proto] if proto else []))))\n    \
             except OSError: print('null')\nfor p in {ports:?}:\n    \
             try: print(json.dumps(socket.getservbyport(p, *([proto] if proto else []))))\n    \
             except OSError: print('null')\n",
            proto = proto.map_or("None".to_string(), |p| format!("'{p}'")),
        );
        let Some(py) = sb.python(&script) else { return };
        assert!(py.status.success(), "{}", crate::support::stderr(&py));
        let glibc: Vec<Value> = stdout(&py)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut args: Vec<String> = vec!["--json".into(), "services".into()];
        if let Some(p) = proto {
            args.extend(["--proto".into(), p.into()]);
        }
        args.extend(names.iter().cloned());
        args.extend(ports.iter().map(|p| p.to_string()));
        let ours = json_lines(&sb.netkit(&args));
        assert_eq!(ours.len(), glibc.len());
        for (i, (o, g)) in ours.iter().zip(&glibc).enumerate() {
            let answer = if i < names.len() {
                &o["port"]
            } else {
                &o["name"]
            };
            assert_eq!(answer, g, "proto {proto:?}, query {}", o["query"]);
        }
    }
}

#[test]
fn equals_glibc_for_every_system_entry() {
    let Some(sb) = Sandbox::new("services vs glibc, system file") else {
        return;
    };
    compare_with_glibc(&sb);
}

#[test]
fn equals_glibc_on_a_tricky_file() {
    let Some(sb) = Sandbox::new("services vs glibc, tricky file") else {
        return;
    };
    let sb = sb.etc("services", TRICKY);
    let all = json_lines(&sb.netkit(&["--json", "services", "--all"]));
    let names: Vec<&str> = all.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec![
            "http",
            "http",
            "alias-dup",
            "http-alt",
            "tabbed",
            "mixed",
            "mixed",
            "sctp-only",
            "upper",
            "zero",
            "hex",
            "oct",
            "plus",
        ]
    );
    compare_with_glibc(&sb);
}
