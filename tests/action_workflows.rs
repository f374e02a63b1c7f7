//! Workflows that are right when copied: every ```yaml block of README.md and every file of
//! .github/workflows parses as YAML, and the rules the Action's users rely on hold in them —
//! the testcert step runs after failed tests (`if: ${{ !cancelled() }}`), third-party actions
//! are pinned by SHA, the organisation roll-up reads default-branch results only, and the
//! matrix pattern uploads from every job and checks once.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// README's ```yaml blocks: (line of the fence, text).
fn readme_blocks() -> Vec<(usize, String)> {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, line) in readme.lines().enumerate() {
        match &mut cur {
            None if line.trim_start() == "```yaml" => cur = Some((i + 1, String::new())),
            Some(_) if line.trim_start().starts_with("```") => blocks.push(cur.take().unwrap()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    assert!(cur.is_none(), "README.md: a ```yaml block is not closed");
    blocks
}

fn parse(what: &str, text: &str) -> Yaml {
    match YamlLoader::load_from_str(text) {
        Ok(mut docs) if docs.len() == 1 => docs.remove(0),
        Ok(docs) => panic!("{what}: {} YAML documents, expected one", docs.len()),
        Err(e) => panic!("{what}: not valid YAML: {e}"),
    }
}

/// The steps of a workflow (every job's) or of a list of steps (a README snippet).
fn steps(doc: &Yaml) -> Vec<&Yaml> {
    if let Some(list) = doc.as_vec() {
        return list.iter().collect();
    }
    let mut out = Vec::new();
    if let Some(jobs) = doc["jobs"].as_hash() {
        for job in jobs.values() {
            if let Some(s) = job["steps"].as_vec() {
                out.extend(s.iter());
            }
        }
    }
    out
}

fn uses(step: &Yaml) -> &str {
    step["uses"].as_str().unwrap_or("")
}

fn is_testcert(step: &Yaml) -> bool {
    let u = uses(step);
    u == "./" || u.starts_with("OWNER/testcert@")
}

/// Everything that must parse: README's blocks and the project's workflows and action.
fn all_documents() -> Vec<(String, Yaml)> {
    let mut docs: Vec<(String, Yaml)> = readme_blocks()
        .into_iter()
        .map(|(line, text)| {
            let what = format!("README.md:{line}");
            let doc = parse(&what, &text);
            (what, doc)
        })
        .collect();
    let mut files = vec![
        Path::new(ROOT).join("action.yml"),
        Path::new(ROOT).join("comment/action.yml"),
    ];
    for e in std::fs::read_dir(Path::new(ROOT).join(".github/workflows"))
        .unwrap()
        .flatten()
    {
        files.push(e.path());
    }
    for f in files {
        let what = f.strip_prefix(ROOT).unwrap().display().to_string();
        let doc = parse(&what, &std::fs::read_to_string(&f).unwrap());
        docs.push((what, doc));
    }
    docs
}

#[test]
fn every_yaml_block_and_workflow_parses() {
    let blocks = readme_blocks();
    assert!(
        blocks.len() >= 6,
        "README has only {} yaml blocks",
        blocks.len()
    );
    let docs = all_documents();
    // The parser rejects what GitHub rejects: a plain scalar holding `: `.
    let bad = "steps:\n  - run: testcert aggregate --title \"Acme: Test Certified\"\n";
    assert!(YamlLoader::load_from_str(bad).is_err());
    // Workflows have triggers, jobs and (least privilege) permissions.
    for (what, doc) in &docs {
        if doc["jobs"].is_badvalue() {
            continue;
        }
        assert!(!doc["on"].is_badvalue(), "{what}: no `on:`");
        assert!(
            !doc["permissions"].is_badvalue(),
            "{what}: no top-level `permissions:`"
        );
        for (name, job) in doc["jobs"].as_hash().unwrap() {
            assert!(
                !job["runs-on"].is_badvalue() || !job["uses"].is_badvalue(),
                "{what}: job {name:?} has no runs-on"
            );
        }
    }
}

#[test]
fn testcert_steps_run_after_failed_tests() {
    let mut seen = 0;
    for (what, doc) in all_documents() {
        for step in steps(&doc).into_iter().filter(|s| is_testcert(s)) {
            seen += 1;
            assert_eq!(
                step["if"].as_str(),
                Some("${{ !cancelled() }}"),
                "{what}: a testcert step without `if: ${{{{ !cancelled() }}}}` is skipped when a test step failed"
            );
        }
    }
    assert!(seen >= 8, "only {seen} testcert steps");
}

#[test]
fn third_party_actions_are_pinned_by_sha_everywhere() {
    for (what, doc) in all_documents() {
        for step in steps(&doc) {
            let u = uses(step);
            // OWNER/testcert@<commit SHA>, OWNER/testcert/comment@<commit SHA>: placeholders.
            if u.is_empty() || u.starts_with("./") || u.starts_with("OWNER/testcert") {
                continue;
            }
            let sha = u.rsplit_once('@').map_or("", |(_, r)| r);
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{what}: {u} is not pinned by commit SHA"
            );
        }
    }
}

#[test]
fn the_roll_up_reads_default_branch_results_only() {
    let docs = all_documents();
    // The per-repository snippet uploads on pushes to the default branch only.
    let upload = docs
        .iter()
        .flat_map(|(w, d)| steps(d).into_iter().map(move |s| (w, s)))
        .find(|(_, s)| s["with"]["name"].as_str() == Some("testcert-result"))
        .expect("the upload of testcert-result");
    let cond = upload.1["if"].as_str().unwrap_or("");
    assert!(
        cond.contains("github.event_name == 'push'")
            && cond.contains("github.event.repository.default_branch"),
        "{}: the upload runs for pull requests too: {cond:?}",
        upload.0
    );
    // The roll-up picks each repository's artifact from a default-branch run of its own.
    let (what, rollup) = docs
        .iter()
        .find(|(_, d)| {
            steps(d).iter().any(|s| {
                s["run"]
                    .as_str()
                    .is_some_and(|r| r.contains("testcert aggregate"))
            })
        })
        .expect("the roll-up workflow");
    let download = steps(rollup)
        .into_iter()
        .find_map(|s| {
            s["run"]
                .as_str()
                .filter(|r| r.contains("actions/artifacts"))
        })
        .expect("the download step");
    for needed in [
        "defaultBranchRef",
        ".workflow_run.head_branch == \\\"$branch\\\"",
        ".workflow_run.head_repository_id == .workflow_run.repository_id",
        ".expired == false",
    ] {
        assert!(
            download.contains(needed),
            "{what}: the download lacks {needed}"
        );
    }
    // The title with a colon survives YAML.
    let aggregate = steps(rollup)
        .into_iter()
        .find_map(|s| {
            s["run"]
                .as_str()
                .filter(|r| r.contains("testcert aggregate"))
        })
        .unwrap();
    assert!(
        aggregate.contains("--title \"Acme: Test Certified\""),
        "{aggregate}"
    );
}

#[test]
fn the_matrix_pattern_uploads_from_every_job_and_checks_once() {
    let docs = all_documents();
    let (what, wf) = docs
        .iter()
        .find(|(_, d)| {
            d["jobs"].as_hash().is_some_and(|j| {
                j.values()
                    .any(|job| !job["strategy"]["matrix"].is_badvalue())
            })
        })
        .expect("a matrix workflow in README");
    let jobs = wf["jobs"].as_hash().unwrap();
    let (matrix_name, matrix) = jobs
        .iter()
        .find(|(_, j)| !j["strategy"]["matrix"].is_badvalue())
        .unwrap();
    let matrix_name = matrix_name.as_str().unwrap();
    let upload = matrix["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| uses(s).starts_with("actions/upload-artifact@"))
        .unwrap_or_else(|| panic!("{what}: the matrix job uploads nothing"));
    assert_eq!(upload["if"].as_str(), Some("${{ !cancelled() }}"), "{what}");
    assert!(
        upload["with"]["name"]
            .as_str()
            .unwrap_or("")
            .contains("${{ matrix."),
        "{what}: one artifact per matrix job"
    );
    assert!(
        !matrix["steps"].as_vec().unwrap().iter().any(is_testcert),
        "{what}: the matrix jobs must not check each on its own"
    );
    let (_, last) = jobs
        .iter()
        .find(|(_, j)| j["needs"].as_str() == Some(matrix_name))
        .unwrap_or_else(|| panic!("{what}: no job needs {matrix_name}"));
    assert_eq!(last["if"].as_str(), Some("${{ !cancelled() }}"), "{what}");
    let steps = last["steps"].as_vec().unwrap();
    let download = steps
        .iter()
        .position(|s| uses(s).starts_with("actions/download-artifact@"))
        .expect("the final job downloads the reports");
    let check = steps.iter().position(is_testcert).expect("and checks");
    assert!(download < check);
    assert_eq!(steps.iter().filter(|s| is_testcert(s)).count(), 1);
}
