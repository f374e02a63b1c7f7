//! Writing outputs: atomically (a temporary file in the same directory, then a rename), so that
//! a reader never sees half a badge or half a JSON result.
//!
//! Outputs often go to shared folders and testcert often runs as root, so:
//! - only a regular file (or nothing) is replaced by a rename: a device, FIFO or socket
//!   (`/dev/null`, `/dev/stdout`, a pipe) is written into directly, never replaced;
//! - the temporary file is created exclusively (`O_EXCL`) under an unpredictable name, so a
//!   link planted in the folder cannot redirect the write to another file.

use std::cell::Cell;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

thread_local! {
    /// `fsync` calls made on this thread: what [`write_many`] saves is counted, not timed.
    static SYNCS: Cell<usize> = const { Cell::new(0) };
}

fn sync(f: &File) -> std::io::Result<()> {
    SYNCS.with(|s| s.set(s.get() + 1));
    f.sync_all()
}

/// `fsync` calls made on this thread so far.
pub fn syncs() -> usize {
    SYNCS.with(Cell::get)
}

/// Where a write goes.
enum Target {
    Stdout,
    /// A device, FIFO or socket: written into, never replaced.
    Special,
    /// A regular file, a symbolic link, or nothing yet: replaced by a rename.
    Replace {
        dir: PathBuf,
    },
}

fn target(path: &Path) -> Result<Target> {
    if path.as_os_str() == "-" {
        return Ok(Target::Stdout);
    }
    // Following links: `/dev/stdout` is a link to a descriptor.
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => bail!("cannot write {}: it is a directory", path.display()),
        Ok(m) if !m.is_file() => return Ok(Target::Special),
        _ => {}
    }
    if path.file_name().is_none() {
        bail!("{} is not a file path", path.display());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(Target::Replace { dir })
}

/// Writes `bytes` to `path` atomically; `-` means standard output.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, |w| w.write_all(bytes))
}

/// [`write`] of what `fill` writes, as it writes it (through a buffer): an output of tens of
/// MB need not be held whole first. Atomic all the same: a replaced file is renamed into
/// place only once `fill` has written all of it.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let staged = match stage(path, fill)? {
        Some(s) => s,
        None => return Ok(()),
    };
    let file = staged.tmp.as_file();
    sync(file).with_context(|| format!("cannot write {}", path.display()))?;
    staged.commit()
}

/// Writes many files (badges) atomically each, with one `fsync` per folder instead of one per
/// file: 100,000 badges must not mean 100,000 disk flushes.
pub fn write_many<'a>(files: impl IntoIterator<Item = (PathBuf, &'a [u8])>) -> Result<()> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (path, bytes) in files {
        let Some(staged) = stage(&path, |w| w.write_all(bytes))? else {
            continue;
        };
        if dirs.last() != Some(&staged.dir) && !dirs.contains(&staged.dir) {
            dirs.push(staged.dir.clone());
        }
        staged.commit()?;
    }
    for d in dirs {
        // The folder's entries (the renames) reach the disk; on systems where a folder cannot
        // be opened as a file there is nothing more to do.
        if let Ok(f) = File::open(&d) {
            let _ = sync(&f);
        }
    }
    Ok(())
}

/// A temporary file written next to its target, not yet renamed.
struct Staged<'p> {
    path: &'p Path,
    dir: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl Staged<'_> {
    fn commit(self) -> Result<()> {
        let path = self.path;
        self.tmp
            .persist(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }
}

/// Writes what `fill` writes to standard output or a special file (`None`: done), or into a
/// fresh temporary file beside `path`.
fn stage<'p>(
    path: &'p Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Option<Staged<'p>>> {
    /// Standard output is line-buffered: without a buffer of its own, a result written in
    /// pieces would be one system call per line.
    const BUF: usize = 1 << 16;
    match target(path)? {
        Target::Stdout => {
            let mut out = std::io::BufWriter::with_capacity(BUF, std::io::stdout().lock());
            fill(&mut out)
                .and_then(|()| out.flush())
                .context("writing to stdout")?;
            Ok(None)
        }
        Target::Special => {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut f = std::io::BufWriter::with_capacity(BUF, f);
            fill(&mut f)
                .and_then(|()| f.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(None)
        }
        Target::Replace { dir } => {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let prefix = format!(".{name}.");
            let mut builder = tempfile::Builder::new();
            builder.prefix(&prefix).suffix(".tmp");
            // Readable as a file `create` makes (0666 less the umask), not tempfile's 0600:
            // badges and pages are served from these folders.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                builder.permissions(std::fs::Permissions::from_mode(0o666));
            }
            let mut tmp = builder
                .tempfile_in(&dir)
                .with_context(|| format!("cannot write {}", path.display()))?;
            {
                let mut w = std::io::BufWriter::with_capacity(BUF, tmp.as_file_mut());
                fill(&mut w)
                    .and_then(|()| w.flush())
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            Ok(Some(Staged { path, dir, tmp }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("testcert-out-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_and_replaces() {
        let dir = scratch("replace");
        let p = dir.join("r.json");
        write(&p, b"one").unwrap();
        write(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        #[cfg(unix)]
        {
            // Not tempfile's private 0600: others may read a badge (umasks keep read bits).
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o600, 0o600);
            assert_ne!(mode & 0o044, 0, "{mode:o}");
        }
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
        assert!(write(&dir.join("missing/x.json"), b"x").is_err());
        assert!(write(&dir, b"x").is_err(), "a directory is not replaced");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The old temporary name, `.NAME.tmp-PID`, was predictable and opened following links:
    /// a link planted there made testcert overwrite the file it points to.
    #[cfg(unix)]
    #[test]
    fn a_planted_link_at_the_old_temporary_name_is_not_followed() {
        let dir = scratch("planted");
        let victim = dir.join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let planted = dir.join(format!(".r.json.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        write(&dir.join("r.json"), b"result").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(dir.join("r.json")).unwrap(), b"result");
        assert!(std::fs::symlink_metadata(&planted).unwrap().is_symlink());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_into_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = scratch("fifo");
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).unwrap())
        };
        write(&fifo, b"through the pipe").unwrap();
        // Still a FIFO (checked first: had it been replaced, the reader would wait forever).
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "still a FIFO");
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_character_device_stays_one() {
        use std::os::unix::fs::FileTypeExt;
        // Writing to /dev/null is harmless; replacing it is what must not happen.
        let null = Path::new("/dev/null");
        write(null, b"discarded").unwrap();
        let kind = std::fs::symlink_metadata(null).unwrap().file_type();
        assert!(kind.is_char_device());
    }

    #[test]
    fn many_files_one_sync_per_folder() {
        let dir = scratch("many");
        let names: Vec<PathBuf> = (0..300).map(|i| dir.join(format!("b{i}.svg"))).collect();
        let before = syncs();
        write_many(names.iter().map(|p| (p.clone(), &b"<svg/>"[..]))).unwrap();
        assert_eq!(syncs() - before, 1, "one folder, one sync");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 300);
        assert_eq!(std::fs::read(&names[299]).unwrap(), b"<svg/>");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
