//! The test stack of a project, for advice that names the exact command: how to get
//! small-test coverage when the reports have neither per-test contexts nor a
//! `[[reports.tag]]` small run.

use crate::evidence::Project;

/// A stack testcert can name commands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stack {
    Rust,
    Python,
    Go,
    Js,
}

/// The stack of `project`, from how it was found (its manifest), else from the formats of
/// its coverage reports (format names as in [`crate::ingest::Format::name`]).
pub(crate) fn detect(project: &Project, formats: &[&str]) -> Option<Stack> {
    let by = project.found_by.as_str();
    if by.starts_with("cargo") {
        return Some(Stack::Rust);
    }
    if by.starts_with("pyproject") {
        return Some(Stack::Python);
    }
    if by.starts_with("go.mod") {
        return Some(Stack::Go);
    }
    if by.starts_with("package.json") || by.starts_with("pnpm") {
        return Some(Stack::Js);
    }
    formats.iter().find_map(|f| match *f {
        "llvm-cov-json" => Some(Stack::Rust),
        "coverage-py-json" => Some(Stack::Python),
        "go-coverprofile" => Some(Stack::Go),
        "istanbul-json" | "istanbul-summary" => Some(Stack::Js),
        _ => None,
    })
}

/// The extra run that writes small-test coverage for `project`, and the `[[reports.tag]]`
/// glob that marks its report: (command, where to run it, glob).
pub(crate) fn small_run(project: &Project, stack: Stack) -> (String, String, String) {
    let dir = if project.path.is_empty() {
        "the repository root".to_string()
    } else {
        project.path.clone()
    };
    let at = |rel: &str| {
        if project.path.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", project.path)
        }
    };
    match stack {
        // One workspace-wide run: attribution splits its files by crate.
        Stack::Rust => (
            "cargo llvm-cov --workspace --lib --bins --lcov --output-path coverage/small.lcov"
                .to_string(),
            "the workspace root".to_string(),
            "coverage/small.lcov".to_string(),
        ),
        Stack::Python => (
            "pytest tests/unit --cov --cov-report=xml:reports/coverage-small.xml".to_string(),
            dir,
            at("reports/coverage-small.xml"),
        ),
        Stack::Go => (
            "go test -short -coverprofile=reports/small.out ./...".to_string(),
            dir,
            at("reports/small.out"),
        ),
        Stack::Js => (
            "vitest run --project unit --coverage --coverage.reporter=lcov --coverage.reportsDirectory=coverage/small (jest: jest --selectProjects unit --coverage --coverageDirectory=coverage/small)".to_string(),
            dir,
            at("coverage/small/lcov.info"),
        ),
    }
}

/// The advice sentence for a project with no small-test coverage.
pub(crate) fn small_coverage_advice(project: &Project, formats: &[&str]) -> String {
    let Some(stack) = detect(project, formats) else {
        return "no small-test coverage: the coverage reports hold no per-test contexts and none is tagged small. Run the small tests alone with coverage and add [[reports.tag]] glob = \"<that report>\", size = \"small\"".to_string();
    };
    let (command, dir, glob) = small_run(project, stack);
    let one_run = match stack {
        Stack::Python => " Or, from the one run you have: pytest --cov --cov-context=test, then coverage json --show-contexts -o reports/coverage.json (per-test contexts).",
        _ => "",
    };
    format!(
        "no small-test coverage: the coverage reports hold no per-test contexts and none is tagged small. Run `{command}` in {dir}, then add to testcert.toml: [[reports.tag]] glob = \"{glob}\" size = \"small\".{one_run}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(path: &str, found_by: &str) -> Project {
        Project {
            name: "p".into(),
            path: path.into(),
            found_by: found_by.into(),
        }
    }

    #[test]
    fn commands_per_stack() {
        let py = project("services/api", "pyproject.toml");
        assert_eq!(detect(&py, &[]), Some(Stack::Python));
        let advice = small_coverage_advice(&py, &[]);
        assert!(
            advice.contains("Run `pytest tests/unit --cov --cov-report=xml:reports/coverage-small.xml` in services/api, then add to testcert.toml: [[reports.tag]] glob = \"services/api/reports/coverage-small.xml\" size = \"small\".")
                && advice.contains("--cov-context=test"),
            "{advice}"
        );
        let rust = project("crates/core", "cargo workspace member");
        assert!(small_coverage_advice(&rust, &[]).contains(
            "`cargo llvm-cov --workspace --lib --bins --lcov --output-path coverage/small.lcov` in the workspace root"
        ));
        let go = project("", "go.mod");
        assert!(small_coverage_advice(&go, &[]).contains(
            "`go test -short -coverprofile=reports/small.out ./...` in the repository root, then add to testcert.toml: [[reports.tag]] glob = \"reports/small.out\""
        ));
        let js = project("packages/core", "package.json");
        assert!(small_coverage_advice(&js, &[]).contains("vitest run --project unit --coverage"));
        // The root fallback: the report formats tell.
        let root = project("", "repository root");
        assert_eq!(detect(&root, &["lcov", "go-coverprofile"]), Some(Stack::Go));
        assert_eq!(detect(&root, &["lcov"]), None);
        assert!(small_coverage_advice(&root, &["lcov"]).contains("<that report>"));
    }
}
