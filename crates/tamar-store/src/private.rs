//! Files and folders that only the platform's own user may read: the data folder, the SQLite
//! file, keys, blobs and the mail outbox (whose messages hold verification links). Folders are
//! 0700 and files 0600; [`tighten`] brings a folder made by an older version to the same.
//!
//! On other systems than Unix these are plain `create_dir_all` and file writes.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Folder permissions: the owner only.
pub const DIR_MODE: u32 = 0o700;
/// File permissions: the owner reads and writes.
pub const FILE_MODE: u32 = 0o600;

/// Creates `path` (and missing parents) and makes it 0700.
pub fn private_dir(path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(path)?;
    set_mode(path, DIR_MODE)
}

/// Creates a new file at `path` that only its owner can read, failing if it exists.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path)
}

/// Makes `path` 0600 if it is a file that exists, and does nothing otherwise.
pub fn tighten_file(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => set_mode(path, FILE_MODE),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Takes group and other permissions away from `root` and everything under it: folders become
/// 0700 and files 0600. Symbolic links are left alone and not followed. For a data folder
/// written by a version that made them readable by everyone.
pub fn tighten(root: &Path) -> io::Result<()> {
    let meta = match std::fs::symlink_metadata(root) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.is_dir() {
        set_mode(root, DIR_MODE)?;
        for entry in std::fs::read_dir(root)? {
            tighten(&entry?.path())?;
        }
        Ok(())
    } else if meta.is_file() {
        set_mode(root, FILE_MODE)
    } else {
        Ok(())
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o7777;
    if current != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn tighten_takes_away_group_and_other_bits() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("outbox")).unwrap();
        std::fs::write(data.join("tamar.db"), b"").unwrap();
        std::fs::write(data.join("outbox").join("a.eml"), b"link").unwrap();
        for p in [&data, &data.join("outbox")] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        for p in [data.join("tamar.db"), data.join("outbox").join("a.eml")] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        tighten(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("outbox")), 0o700);
        assert_eq!(mode(&data.join("tamar.db")), 0o600);
        assert_eq!(mode(&data.join("outbox").join("a.eml")), 0o600);
    }

    #[test]
    fn private_files_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        private_dir(&keys).unwrap();
        assert_eq!(mode(&keys), 0o700);
        create_private_file(&keys.join("k")).unwrap();
        assert_eq!(mode(&keys.join("k")), 0o600);
        assert!(create_private_file(&keys.join("k")).is_err(), "never overwrites");
    }
}
