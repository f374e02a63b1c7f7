//! The configuration: `testcert.toml` at the repository root, or `[workspace.metadata.testcert]`
//! / `[package.metadata.testcert]` in the root `Cargo.toml`. Every key is optional; unknown
//! keys are an error that names the key and the file (a typo must not silently change a
//! gate). `testcert init` writes a commented starting file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// A test size, as Google's Test Certified program meant it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    Small,
    Medium,
    Large,
}

impl Size {
    pub fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }

    /// Parses `small`/`medium`/`large` and the Bazel spelling `enormous` (as large),
    /// case-insensitively; also `unit` (small), `integration` (medium), `e2e`/`system` (large).
    pub fn parse(s: &str) -> Option<Size> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" | "unit" => Some(Size::Small),
            "medium" | "integration" => Some(Size::Medium),
            "large" | "enormous" | "e2e" | "system" | "end-to-end" => Some(Size::Large),
            _ => None,
        }
    }

    /// The default timeout of the size, in seconds (Google's test sizes).
    pub fn timeout_secs(self) -> f64 {
        match self {
            Size::Small => 60.0,
            Size::Medium => 300.0,
            Size::Large => 900.0,
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything `testcert.toml` can say.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Highest level evaluated: 3 (the original ladder, default) or 5 (levels 4–5, opt-in).
    pub max_level: Option<u8>,
    /// Level every project must reach (default 0: report only, never fail).
    pub required_level: Option<u8>,
    /// `[[project]]`: projects declared by hand (added to the detected ones; a declared
    /// project at the same path replaces the detected one).
    #[serde(default)]
    pub project: Vec<ProjectConfig>,
    #[serde(default)]
    pub reports: ReportsConfig,
    /// `[[size]]`: size rules for tests, first match wins.
    #[serde(default)]
    pub size: Vec<SizeRule>,
    #[serde(default)]
    pub smoke: SmokeConfig,
    #[serde(default)]
    pub flaky: FlakyConfig,
    #[serde(default)]
    pub thresholds: Thresholds,
    /// `[[waiver]]`: criteria a project is excused from, with the reason shown wherever its
    /// level is shown.
    #[serde(default)]
    pub waiver: Vec<Waiver>,
    #[serde(default)]
    pub paths: PathsConfig,
    #[serde(default)]
    pub change: ChangeConfig,
    /// The team that owns the repository: `check --stamp` carries it in the stamp, and
    /// `aggregate` rolls the repository up under it (unless `--teams` names another).
    pub team: Option<String>,
}

/// `[[project]]`
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// Project name; with a glob `path`, `{dir}` stands for the matched directory's name
    /// (default: the directory name).
    pub name: Option<String>,
    /// Directory relative to the repository root; a glob (`packages/*`) declares one project
    /// per matching directory.
    pub path: String,
    /// Required level for this project (overrides the global one).
    pub required_level: Option<u8>,
}

/// `[reports]`
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportsConfig {
    /// Whether the default report globs apply (see `discover::reports::DEFAULT_GLOBS`).
    #[serde(default = "yes")]
    pub defaults: bool,
    /// More report globs, relative to the root (`ci-artifacts/**/*.xml`).
    #[serde(default)]
    pub include: Vec<String>,
    /// Globs of files or directories never read as reports.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// `[[reports.tag]]`: the test size of the run that wrote matching coverage reports.
    #[serde(default)]
    pub tag: Vec<ReportTag>,
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            defaults: true,
            include: Vec::new(),
            exclude: Vec::new(),
            tag: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}

/// `[[reports.tag]]`
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportTag {
    /// Glob over report paths relative to the root (`coverage/unit/**`).
    pub glob: String,
    pub size: Size,
}

/// `[[size]]`: tests whose suite, class, name or file matches `glob` have `size`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SizeRule {
    /// Glob matched against the test's file, and against `suite`, `class`, `suite/class/name`
    /// and `class.name` (`*IT`, `tests/e2e/**`, `crate::integration*`).
    pub glob: String,
    pub size: Size,
}

/// `[smoke]`: which tests form the smoke suite.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmokeConfig {
    /// Globs over the test's suite, class, name or file (default: anything containing
    /// "smoke", case-insensitively).
    #[serde(default)]
    pub globs: Vec<String>,
    /// Property or tag values that mark a smoke test (default: `smoke`).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `[flaky]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(from = "RawFlaky")]
pub struct FlakyConfig {
    /// Quarantined tests: globs over `suite/class/name` (or `class.name`). Their failures are
    /// listed, not counted against L2.green.
    pub quarantine: Vec<String>,
    /// `quarantine` is written in the config, even as `[]`: the project keeps a quarantine
    /// list (L1.flaky), which may be empty today.
    #[serde(skip)]
    pub quarantine_declared: bool,
}

impl FlakyConfig {
    /// Whether the config keeps a quarantine list (declared, or given entries in code).
    pub fn keeps_quarantine(&self) -> bool {
        self.quarantine_declared || !self.quarantine.is_empty()
    }
}

/// `[flaky]` as written: `quarantine` absent and `quarantine = []` differ.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlaky {
    quarantine: Option<Vec<String>>,
}

impl From<RawFlaky> for FlakyConfig {
    fn from(r: RawFlaky) -> Self {
        FlakyConfig {
            quarantine_declared: r.quarantine.is_some(),
            quarantine: r.quarantine.unwrap_or_default(),
        }
    }
}

/// `[thresholds]`: every default of `TEST_CERTIFIED.md`, each overridable. Ratios are 0–1.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    pub incremental: f64,
    pub small_incremental_l2: f64,
    pub small_incremental_l3: f64,
    /// Changed executable lines that make a change to a file "nontrivial" (L3.tests-for-changes).
    pub nontrivial_lines: u64,
    /// Changed executable lines that make a change "a significant feature" (L3/L4 integration).
    pub significant_lines: u64,
    pub smoke_max_minutes: f64,
    pub total_l4: f64,
    pub small_total_l4: f64,
    pub total_l5: f64,
    pub small_total_l5: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            incremental: 0.50,
            small_incremental_l2: 0.10,
            small_incremental_l3: 0.50,
            nontrivial_lines: 10,
            significant_lines: 50,
            smoke_max_minutes: 30.0,
            total_l4: 0.40,
            small_total_l4: 0.25,
            total_l5: 0.60,
            small_total_l5: 0.40,
        }
    }
}

impl Thresholds {
    /// The thresholds that differ from the defaults, by key, for outputs to show.
    pub fn non_default(&self) -> BTreeMap<String, f64> {
        let d = Thresholds::default();
        let mut out = BTreeMap::new();
        let mut cmp = |k: &str, a: f64, b: f64| {
            if a != b {
                out.insert(k.to_string(), a);
            }
        };
        cmp("incremental", self.incremental, d.incremental);
        cmp(
            "small_incremental_l2",
            self.small_incremental_l2,
            d.small_incremental_l2,
        );
        cmp(
            "small_incremental_l3",
            self.small_incremental_l3,
            d.small_incremental_l3,
        );
        cmp(
            "nontrivial_lines",
            self.nontrivial_lines as f64,
            d.nontrivial_lines as f64,
        );
        cmp(
            "significant_lines",
            self.significant_lines as f64,
            d.significant_lines as f64,
        );
        cmp(
            "smoke_max_minutes",
            self.smoke_max_minutes,
            d.smoke_max_minutes,
        );
        cmp("total_l4", self.total_l4, d.total_l4);
        cmp("small_total_l4", self.small_total_l4, d.small_total_l4);
        cmp("total_l5", self.total_l5, d.total_l5);
        cmp("small_total_l5", self.small_total_l5, d.small_total_l5);
        out
    }
}

/// `[[waiver]]`
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// Criterion id (`L2.smoke-gate`).
    pub criterion: String,
    /// Project name glob (default: every project).
    pub project: Option<String>,
    /// Why: shown wherever the level is shown. Required.
    pub reason: String,
}

/// `[paths]`: path mapping for what cannot be guessed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PathsConfig {
    #[serde(default)]
    pub strip_prefix: Vec<String>,
    pub path_prefix: Option<String>,
}

/// `[change]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChangeConfig {
    /// Words that make a commit subject read as a bug fix (L5.bugfix-tests); default `fix`,
    /// `bug`, `regression`, `hotfix`, `fixes #`.
    #[serde(default)]
    pub fix_words: Vec<String>,
    /// Globs of test files (default: `classify::DEFAULT_TEST_GLOBS`: `tests/**`,
    /// `test/**`, `**/*_test.*`, `**/test_*.py`, `**/*.test.*`, `**/*.spec.*`,
    /// `**/*Test.java`, `**/*Tests.cs`, …).
    #[serde(default)]
    pub test_globs: Vec<String>,
}

/// Where a configuration came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    /// `Cargo.toml`, with the table it was read from.
    CargoMetadata(PathBuf, &'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("defaults (no testcert.toml)"),
            Source::File(p) => write!(f, "{}", p.display()),
            Source::CargoMetadata(p, table) => write!(f, "{} [{table}]", p.display()),
        }
    }
}

impl Config {
    /// Highest level evaluated (3 unless `max_level = 5`).
    pub fn max_level(&self) -> u8 {
        self.max_level.unwrap_or(3)
    }

    /// Reads the configuration for `root`: `explicit` if given, else `testcert.toml`, else
    /// the Cargo metadata tables, else defaults.
    pub fn load(root: &Path, explicit: Option<&Path>) -> Result<(Config, Source)> {
        if let Some(p) = explicit {
            return Ok((Self::from_file(p)?, Source::File(p.to_path_buf())));
        }
        let file = root.join("testcert.toml");
        if file.is_file() {
            return Ok((Self::from_file(&file)?, Source::File(file)));
        }
        let cargo = root.join("Cargo.toml");
        if cargo.is_file() {
            if let Some((c, table)) = Self::from_cargo_toml(&cargo)? {
                return Ok((c, Source::CargoMetadata(cargo, table)));
            }
        }
        Ok((Config::default(), Source::Default))
    }

    /// Parses a `testcert.toml`.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config {}", path.display()))?;
        Self::from_text(&text, path)
    }

    /// Parses the text of a `testcert.toml` read from `path` (named in errors).
    pub fn from_text(text: &str, path: &Path) -> Result<Config> {
        let c: Config = toml::from_str(text).map_err(|e| config_error(path, text, &e))?;
        c.validate(path, text, &[])?;
        Ok(c)
    }

    /// Reads `[workspace.metadata.testcert]` or `[package.metadata.testcert]`, if present.
    pub fn from_cargo_toml(path: &Path) -> Result<Option<(Config, &'static str)>> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let doc: toml::Table = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
        for (section, table) in [
            ("workspace", "workspace.metadata.testcert"),
            ("package", "package.metadata.testcert"),
        ] {
            let found = doc
                .get(section)
                .and_then(|s| s.get("metadata"))
                .and_then(|m| m.get("testcert"));
            if let Some(v) = found {
                let c: Config = v.clone().try_into().map_err(|e: toml::de::Error| {
                    anyhow::anyhow!("{} [{table}]: {}", path.display(), e.message())
                })?;
                c.validate(path, &text, &[section, "metadata", "testcert"])?;
                return Ok(Some((c, table)));
            }
        }
        Ok(None)
    }

    /// Checks what the types cannot. Each error names the file and, when the key is found in
    /// `text`, its line (`prefix`: the table the configuration sits in, for `Cargo.toml`).
    fn validate(&self, path: &Path, text: &str, prefix: &[&str]) -> Result<()> {
        let doc = toml::de::DeTable::parse(text).ok();
        let at = |keys: &[Seg]| -> String {
            let segs: Vec<Seg> = prefix
                .iter()
                .map(|k| Seg::Key(k))
                .chain(keys.iter().copied())
                .collect();
            match doc.as_ref().and_then(|d| line_of(text, d, &segs)) {
                Some(line) => format!("{}:{line}", path.display()),
                None => path.display().to_string(),
            }
        };
        let check_level = |what: &str, l: Option<u8>, keys: &[Seg]| -> Result<()> {
            match l {
                Some(l) if l > 5 => {
                    bail!("{}: {what} = {l}: levels go from 0 to 5", at(keys))
                }
                _ => Ok(()),
            }
        };
        check_level("max_level", self.max_level, &[Seg::Key("max_level")])?;
        if let Some(m) = self.max_level {
            if m != 3 && m != 5 {
                bail!(
                    "{}: max_level = {m}: use 3 (the original ladder) or 5 (with levels 4 and 5)",
                    at(&[Seg::Key("max_level")])
                );
            }
        }
        if let Some(t) = &self.team {
            if t.trim().is_empty() || t.chars().count() > 100 || t.chars().any(char::is_control) {
                bail!(
                    "{}: team = {t:?}: a team is 1 to 100 characters on one line",
                    at(&[Seg::Key("team")])
                );
            }
        }
        let max = self.max_level();
        // A level above the highest one evaluated can never be reached: every check would fail.
        let reachable = |what: &str, l: Option<u8>, keys: &[Seg]| -> Result<()> {
            match l {
                Some(l) if l > max => bail!(
                    "{}: {what} = {l} is above max_level = {max}: it can never be reached (set max_level = 5 for levels 4 and 5)",
                    at(keys)
                ),
                _ => Ok(()),
            }
        };
        let required = [Seg::Key("required_level")];
        check_level("required_level", self.required_level, &required)?;
        reachable("required_level", self.required_level, &required)?;
        for (i, p) in self.project.iter().enumerate() {
            let keys = |k| [Seg::Key("project"), Seg::Index(i), Seg::Key(k)];
            check_level("required_level", p.required_level, &keys("required_level"))?;
            reachable("required_level", p.required_level, &keys("required_level"))?;
            // Only a `..` component leaves the root (`a..b` is a name); an absolute path or a
            // drive (`/etc`, `C:\x`, `\\server\x`) is outside it from the start.
            let p_path = p.path.as_str();
            let absolute = p_path.starts_with(['/', '\\'])
                || (p_path.len() >= 2
                    && p_path.as_bytes()[1] == b':'
                    && p_path.as_bytes()[0].is_ascii_alphabetic());
            if absolute || p_path.split(['/', '\\']).any(|c| c == "..") {
                bail!(
                    "{}: project path {:?} leaves the repository (paths are relative to its root)",
                    at(&keys("path")),
                    p.path
                );
            }
        }
        for (i, w) in self.waiver.iter().enumerate() {
            let keys = |k| [Seg::Key("waiver"), Seg::Index(i), Seg::Key(k)];
            if crate::ladder::criterion(&w.criterion).is_none() {
                bail!(
                    "{}: waiver for unknown criterion {:?} (see `testcert explain`)",
                    at(&keys("criterion")),
                    w.criterion
                );
            }
            if w.reason.trim().is_empty() {
                bail!(
                    "{}: the waiver of {} needs a reason",
                    at(&keys("reason")),
                    w.criterion
                );
            }
            // A project glob that does not parse would waive nothing, silently.
            if let Some(g) = &w.project {
                if let Err(e) = glob::Pattern::new(g) {
                    bail!("{}: [[waiver]] project {g:?}: {e}", at(&keys("project")));
                }
            }
        }
        // A glob that does not parse would silently select nothing.
        let globs = self
            .size
            .iter()
            .map(|r| ("[[size]] glob", &r.glob))
            .chain(self.smoke.globs.iter().map(|g| ("[smoke] globs", g)))
            .chain(
                self.flaky
                    .quarantine
                    .iter()
                    .map(|g| ("[flaky] quarantine", g)),
            )
            .chain(
                self.change
                    .test_globs
                    .iter()
                    .map(|g| ("[change] test_globs", g)),
            )
            .chain(
                self.reports
                    .tag
                    .iter()
                    .map(|t| ("[[reports.tag]] glob", &t.glob)),
            );
        for (what, g) in globs {
            if let Err(e) = glob::Pattern::new(g) {
                bail!("{}: {what} {g:?}: {e}", at(&[]));
            }
        }
        let t = &self.thresholds;
        for (k, v) in [
            ("incremental", t.incremental),
            ("small_incremental_l2", t.small_incremental_l2),
            ("small_incremental_l3", t.small_incremental_l3),
            ("total_l4", t.total_l4),
            ("small_total_l4", t.small_total_l4),
            ("total_l5", t.total_l5),
            ("small_total_l5", t.small_total_l5),
        ] {
            if !(0.0..=1.0).contains(&v) {
                bail!(
                    "{}: thresholds.{k} = {v}: ratios go from 0 to 1 (0.5 is 50%)",
                    at(&[Seg::Key("thresholds"), Seg::Key(k)])
                );
            }
        }
        // Minutes: `inf` would serialise as null (and `render --from` then fail), a negative
        // or zero budget can never be met.
        let m = t.smoke_max_minutes;
        if !(m.is_finite() && m > 0.0) {
            bail!(
                "{}: thresholds.smoke_max_minutes = {m}: a number of minutes above 0",
                at(&[Seg::Key("thresholds"), Seg::Key("smoke_max_minutes")])
            );
        }
        Ok(())
    }
}

/// A step on the way to a key: a table's key, or an array's index (`[[project]]` tables).
#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// The 1-based line of the value at `segs` in the parsed `doc` of `text`; the deepest one
/// found when the last keys are absent (a default has no line; its table may).
fn line_of(text: &str, doc: &toml::Spanned<toml::de::DeTable<'_>>, segs: &[Seg]) -> Option<usize> {
    use toml::de::DeTable;
    use toml::de::DeValue;
    type Value<'a, 'i> = &'a toml::Spanned<DeValue<'i>>;
    let mut span = None;
    let mut table: Option<&DeTable<'_>> = Some(doc.get_ref());
    let mut array: Option<&[toml::Spanned<DeValue<'_>>]> = None;
    for seg in segs {
        let v: Option<Value<'_, '_>> = match (*seg, table, array) {
            (Seg::Key(k), Some(t), _) => t.iter().find(|(n, _)| n.get_ref() == k).map(|(_, v)| v),
            (Seg::Index(i), _, Some(a)) => a.get(i),
            _ => None,
        };
        let Some(v) = v else { break };
        span = Some(v.span());
        (table, array) = match v.get_ref() {
            DeValue::Table(t) => (Some(t), None),
            DeValue::Array(a) => (None, Some(a.as_ref())),
            _ => (None, None),
        };
    }
    let start = span?.start.min(text.len());
    Some(text[..start].matches('\n').count() + 1)
}

/// `testcert.toml:12:3: unknown field `thresold`, expected one of …`
fn config_error(path: &Path, text: &str, e: &toml::de::Error) -> anyhow::Error {
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            anyhow::anyhow!("{}:{line}:{col}: {}", path.display(), e.message())
        }
        None => anyhow::anyhow!("{}: {}", path.display(), e.message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Config> {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("testcert-config-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("testcert.toml");
        std::fs::write(&p, s).unwrap();
        let r = Config::from_file(&p);
        let _ = std::fs::remove_dir_all(&dir);
        r
    }

    #[test]
    fn full_config() {
        let c = parse(
            r#"
max_level = 5
required_level = 2

[[project]]
path = "packages/*"
required_level = 1

[reports]
include = ["artifacts/**/*.xml"]
[[reports.tag]]
glob = "coverage/unit/**"
size = "small"

[[size]]
glob = "*IT"
size = "medium"

[smoke]
globs = ["*Smoke*"]

[flaky]
quarantine = ["net/retry_test"]

[thresholds]
incremental = 0.6

[[waiver]]
criterion = "L2.smoke-gate"
reason = "no pull requests in this repository"
"#,
        )
        .unwrap();
        assert_eq!(c.max_level(), 5);
        assert_eq!(c.reports.tag[0].size, Size::Small);
        assert!(c.reports.defaults);
        assert_eq!(c.thresholds.non_default().len(), 1);
    }

    #[test]
    fn quarantine_declared_empty_differs_from_absent() {
        assert!(parse("[flaky]\nquarantine = []\n")
            .unwrap()
            .flaky
            .keeps_quarantine());
        assert!(!parse("[flaky]\n").unwrap().flaky.keeps_quarantine());
        assert!(!parse("").unwrap().flaky.keeps_quarantine());
        assert!(parse("[flaky]\nquarantine = [\"x\"]\n")
            .unwrap()
            .flaky
            .keeps_quarantine());
        assert!(parse("[flaky]\nquarantin = []\n").is_err());
    }

    #[test]
    fn unknown_keys_name_the_key_and_the_place() {
        let e = parse("[thresholds]\nincrementl = 0.5\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("testcert.toml:2:1") && e.contains("incrementl"),
            "{e}"
        );
        let e = parse("colour = true\n").unwrap_err().to_string();
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn bad_values() {
        assert!(parse("max_level = 4\n").is_err());
        assert!(parse("[thresholds]\nincremental = 50\n").is_err());
        assert!(parse("[[waiver]]\ncriterion = \"L9.nope\"\nreason = \"x\"\n").is_err());
        assert!(parse("[[waiver]]\ncriterion = \"L1.ci\"\nreason = \" \"\n").is_err());
        assert!(parse("[[project]]\npath = \"../elsewhere\"\n").is_err());
        let e = parse("[flaky]\nquarantine = [\"a/[b\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("[flaky] quarantine") && e.contains("a/[b"),
            "{e}"
        );
    }
}
