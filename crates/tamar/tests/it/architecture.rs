//! The dependency rules of docs/ARCHITECTURE.md, read from Cargo's own metadata: a rule broken
//! in a `Cargo.toml` fails here, whoever wrote it.

use std::collections::BTreeMap;

/// Crates of HTTP serving, which no domain crate may see (templates for email are allowed).
const WEB: &[&str] = &["axum", "axum-core", "axum-extra", "tower", "tower-http", "hyper", "http", "utoipa-axum"];

/// The workspace's crates, each with the crates it depends on (normal dependencies only;
/// tests may use anything).
fn workspace() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect();
            (p["name"].as_str().unwrap().to_owned(), deps)
        })
        .collect()
}

fn is_web_crate(name: &str) -> bool {
    name == "tamar-web" || name.starts_with("tamar-web-")
}

#[test]
fn no_domain_crate_depends_on_the_web() {
    let crates = workspace();
    let domain: Vec<&String> = crates.keys().filter(|n| !is_web_crate(n) && n.as_str() != "tamar").collect();
    assert!(domain.iter().any(|n| n.as_str() == "tamar-identity"), "the metadata lists the domain crates: {domain:?}");
    for name in domain {
        for dep in &crates[name] {
            assert!(!WEB.contains(&dep.as_str()) && !is_web_crate(dep), "{name} depends on {dep}: domain crates never see HTTP or HTML");
        }
    }
}

#[test]
fn only_the_binary_depends_on_everything() {
    let crates = workspace();
    for (name, deps) in &crates {
        assert!(!deps.iter().any(|d| d == "tamar"), "{name} depends on the binary crate");
    }
    // tamar-core is the bottom: it depends on no other Tamar crate.
    assert!(crates["tamar-core"].iter().all(|d| !d.starts_with("tamar")), "{:?}", crates["tamar-core"]);
}

/// The web layer is split by module: each module's web crate stands on the kernel and on domain
/// crates, never on another module's web crate, and the kernel knows no module's web crate.
#[test]
fn module_web_crates_stand_on_the_kernel_alone() {
    let crates = workspace();
    let modules: Vec<&String> = crates.keys().filter(|n| n.starts_with("tamar-web-")).collect();
    for expected in ["tamar-web-identity", "tamar-web-oidc", "tamar-web-signing", "tamar-web-portal"] {
        assert!(modules.iter().any(|m| m.as_str() == expected), "{expected} is a module's web crate: {modules:?}");
    }
    for name in &modules {
        let deps = &crates[name.as_str()];
        assert!(deps.iter().any(|d| d == "tamar-web"), "{name} stands on the kernel");
        for dep in deps {
            assert!(!dep.starts_with("tamar-web-"), "{name} depends on {dep}: what two modules share belongs in the kernel");
        }
    }
    assert!(!crates["tamar-web"].iter().any(|d| d.starts_with("tamar-web-")), "the kernel depends on a module: {:?}", crates["tamar-web"]);
}
