use std::collections::HashSet;

use super::*;

fn file(path: &str, text: &str) -> OutputFile {
    OutputFile {
        path: path.into(),
        contents: Contents::Bytes(text.as_bytes().to_vec()),
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every file below `dir` with its text, relative to `dir`.
fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (relative, fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn pairs(files: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = files
        .iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect();
    pairs.sort();
    pairs
}

fn folders(dir: &Path) -> HashSet<PathBuf> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect()
}

#[test]
fn replaces_the_output_and_leaves_no_stale_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    write(&out, &[file("a/index.html", "one"), file("old.html", "x")]).unwrap();
    write(&out, &[file("a/index.html", "two")]).unwrap();
    assert_eq!(tree(&out), pairs(&[("a/index.html", "two")]));
    // The output before last is kept as the spare; no staging folder is left behind.
    assert_eq!(names_in(dir.path()), [".iopsite-spare-public", "public"]);
}

#[test]
fn writing_over_the_spare_gives_exactly_what_an_empty_folder_would() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let builds: [&[(&str, &str)]; 4] = [
        &[
            ("a/index.html", "1"),
            ("gone/deep/x.html", "1"),
            ("p", "file"),
            ("q/index.html", "1"),
        ],
        &[("a/index.html", "2"), ("keep.css", "2")],
        // The spare now holds build 1: `p` was a file and `q` a folder, here the other way round.
        &[
            ("a/index.html", "3"),
            ("p/index.html", "3"),
            ("q", "file"),
            ("a/new.html", "3"),
        ],
        &[("b/index.html", "4")],
    ];
    for files in builds {
        let outputs: Vec<OutputFile> = files.iter().map(|(path, text)| file(path, text)).collect();
        write(&out, &outputs).unwrap();
        assert_eq!(tree(&out), pairs(files));
        let needed: HashSet<PathBuf> = files
            .iter()
            .flat_map(|(path, _)| Path::new(path).ancestors().skip(1))
            .filter(|folder| !folder.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .collect();
        assert_eq!(folders(&out), needed, "no folder is left over");
    }
    assert!(!out.join("gone").exists() && !out.join("a").exists());
}

/// Two builds into `public/` in a new folder: the output holds the second, the spare the first.
fn two_builds(first: &[OutputFile], second: &[OutputFile]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    write(&out, first).unwrap();
    write(&out, second).unwrap();
    (dir, out)
}

#[test]
fn never_writes_through_a_link_or_into_a_hard_linked_file() {
    let (dir, out) = two_builds(
        &[file("a/index.html", "1"), file("b/index.html", "1")],
        &[file("a/index.html", "2"), file("b/index.html", "2")],
    );
    // The spare now holds build 1. Someone hard-links one of its files into a backup and swaps a folder for a
    // link to a folder outside.
    let spare = dir.path().join(".iopsite-spare-public");
    let backup = dir.path().join("backup.html");
    fs::hard_link(spare.join("a/index.html"), &backup).unwrap();
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("index.html"), "outside").unwrap();
    fs::remove_dir_all(spare.join("b")).unwrap();
    std::os::unix::fs::symlink(&outside, spare.join("b")).unwrap();

    write(
        &out,
        &[file("a/index.html", "3"), file("b/index.html", "3")],
    )
    .unwrap();
    assert_eq!(
        tree(&out),
        pairs(&[("a/index.html", "3"), ("b/index.html", "3")])
    );
    assert_eq!(fs::read_to_string(&backup).unwrap(), "1");
    assert_eq!(
        fs::read_to_string(outside.join("index.html")).unwrap(),
        "outside"
    );
}

#[test]
fn a_copy_is_written_again_only_when_its_source_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (photo, other) = (dir.path().join("photo.jpg"), dir.path().join("other.jpg"));
    fs::write(&photo, "pixels").unwrap();
    fs::write(&other, "before").unwrap();
    let out = dir.path().join("public");
    let copies = || {
        [
            OutputFile {
                path: "photo.jpg".into(),
                contents: Contents::Copy(photo.clone()),
            },
            OutputFile {
                path: "other.jpg".into(),
                contents: Contents::Copy(other.clone()),
            },
        ]
    };
    // Two builds: the spare now holds copies made by the first, with their sources' times.
    write(&out, &copies()).unwrap();
    write(&out, &copies()).unwrap();
    let spare = dir.path().join(".iopsite-spare-public");
    let copied_at = fs::metadata(spare.join("photo.jpg"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(copied_at, fs::metadata(&photo).unwrap().modified().unwrap());
    // Same size, another time: copied again, even though the length matches.
    fs::write(&other, "after!").unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    fs::File::options()
        .write(true)
        .open(&other)
        .unwrap()
        .set_modified(later)
        .unwrap();
    write(&out, &copies()).unwrap();
    assert_eq!(
        tree(&out),
        pairs(&[("other.jpg", "after!"), ("photo.jpg", "pixels")])
    );
    assert_eq!(
        fs::metadata(out.join("photo.jpg"))
            .unwrap()
            .modified()
            .unwrap(),
        copied_at
    );
}

#[test]
fn a_file_the_spare_holds_with_the_same_bytes_is_left_as_it_is() {
    let names = ["same/index.html", "changed/index.html", "grown/index.html"];
    let build_1 = names.map(|name| file(name, "1"));
    let (dir, out) = two_builds(&build_1, &[file("same/index.html", "2")]);
    // The spare holds build 1; mark its files as written long ago.
    let spare = dir.path().join(".iopsite-spare-public");
    let long_ago =
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    for name in names {
        let written = fs::File::options()
            .write(true)
            .open(spare.join(name))
            .unwrap();
        written.set_modified(long_ago).unwrap();
    }
    let build_3 = [
        file("same/index.html", "1"),
        file("changed/index.html", "3"),
        file("grown/index.html", "33"),
    ];
    write(&out, &build_3).unwrap();
    assert_eq!(
        tree(&out),
        pairs(&[
            ("changed/index.html", "3"),
            ("grown/index.html", "33"),
            ("same/index.html", "1")
        ])
    );
    let modified = |name: &str| fs::metadata(out.join(name)).unwrap().modified().unwrap();
    assert_eq!(modified("same/index.html"), long_ago);
    assert_ne!(modified("changed/index.html"), long_ago);
    assert_ne!(modified("grown/index.html"), long_ago);
}

#[test]
fn a_path_with_doubled_or_dot_parts_is_the_same_file_as_the_spare_holds() {
    // An alias such as "/old//page/" gives such a path; were it taken for a new file, the spare's copy of it
    // would be removed as not written, and the page with it.
    let (_dir, out) = two_builds(&[file("old//page/index.html", "1")], &[file("x.html", "2")]);
    write(&out, &[file("./old/./page//index.html", "3")]).unwrap();
    assert_eq!(tree(&out), pairs(&[("old/page/index.html", "3")]));
    assert_eq!(normalized("a/b/c.html"), Cow::Borrowed("a/b/c.html"));
    assert_eq!(
        folders_above("a/b/c.html").collect::<Vec<_>>(),
        ["a/b", "a"]
    );
}

#[test]
fn names_that_are_not_text_are_removed_from_the_spare() {
    use std::os::unix::ffi::OsStrExt;
    let (dir, out) = two_builds(&[file("a/index.html", "1")], &[file("a/index.html", "2")]);
    let spare = dir.path().join(".iopsite-spare-public");
    let odd = std::ffi::OsStr::from_bytes(b"odd-\xff");
    fs::write(spare.join("a").join(odd), "x").unwrap();
    fs::create_dir(spare.join(odd)).unwrap();
    fs::write(spare.join(odd).join("inside.html"), "x").unwrap();
    write(&out, &[file("a/index.html", "3")]).unwrap();
    assert_eq!(tree(&out), pairs(&[("a/index.html", "3")]));
    assert_eq!(names_in(&out), ["a"]);
}

#[test]
fn two_files_of_one_build_in_each_others_way_are_an_error() {
    let (_dir, out) = two_builds(&[file("x/index.html", "1")], &[file("y.html", "2")]);
    // The spare holds build 1, with a folder `x`: the build must still fail, not quietly drop a file.
    assert!(write(&out, &[file("x", "3"), file("x/index.html", "3")]).is_err());
    assert_eq!(tree(&out), pairs(&[("y.html", "2")]));
}

#[test]
fn a_written_file_lost_to_clearing_the_way_is_an_error() {
    // Clearing the way can only take a written file when two threads write files of one build that are in
    // each other's way at the same moment; simulate that outcome: the check before the swap must catch it.
    let (_dir, out) = two_builds(&[file("y/index.html", "1")], &[file("z.html", "2")]);
    let staging = Staging::create(&out).unwrap();
    staging.write(&file("x/index.html", "3")).unwrap();
    staging.write(&file("y", "3")).unwrap(); // the spare's folder `y` is cleared out of the way
    fs::remove_file(staging.dir.join("x/index.html")).unwrap();
    assert!(staging.swap_in().is_err());
    assert_eq!(tree(&out), pairs(&[("z.html", "2")]));
}

#[test]
fn a_failed_write_keeps_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    write(&out, &[file("index.html", "good")]).unwrap();
    let missing = OutputFile {
        path: "x.css".into(),
        contents: Contents::Copy(dir.path().join("nope.css")),
    };
    assert!(write(&out, &[file("index.html", "bad"), missing]).is_err());
    assert_eq!(tree(&out), pairs(&[("index.html", "good")]));
    assert_eq!(names_in(dir.path()), [".iopsite-spare-public", "public"]);
}

#[test]
fn a_sealed_copy_the_spare_holds_is_trusted_by_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("copy.webp");
    fs::write(&source, "pixels").unwrap();
    let out = dir.path().join("public");
    let sealed = || {
        [OutputFile {
            path: "processed_images/hall-0123.webp".into(),
            contents: Contents::Sealed(source.clone()),
        }]
    };
    write(&out, &sealed()).unwrap();
    assert_eq!(
        tree(&out),
        pairs(&[("processed_images/hall-0123.webp", "pixels")])
    );
    write(&out, &sealed()).unwrap();
    // The spare now holds it: the name is the promise, so not even its size is looked at.
    fs::write(&source, "other bytes under the same name").unwrap();
    write(&out, &sealed()).unwrap();
    assert_eq!(
        tree(&out),
        pairs(&[("processed_images/hall-0123.webp", "pixels")])
    );
}

#[test]
fn updating_a_built_folder_writes_what_differs_and_never_through_a_link() {
    let (dir, out) = two_builds(
        &[file("a/index.html", "1"), file("b/index.html", "1")],
        &[file("a/index.html", "2"), file("b/index.html", "2")],
    );
    assert_eq!(
        update(&out, &file("a/index.html", "2")).unwrap(),
        Updated::Same
    );
    assert_eq!(
        update(&out, &file("c/index.html", "new")).unwrap(),
        Updated::New
    );
    // A hard link to a backup, a file that is a link, and a folder that is a link to a folder outside.
    let backup = dir.path().join("backup.html");
    fs::hard_link(out.join("a/index.html"), &backup).unwrap();
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("index.html"), "outside").unwrap();
    fs::remove_dir_all(out.join("b")).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("b")).unwrap();
    fs::remove_file(out.join("c/index.html")).unwrap();
    std::os::unix::fs::symlink(outside.join("index.html"), out.join("c/index.html")).unwrap();
    // The linked folder is replaced by a real one, so the file in it is new.
    for (path, updated) in [
        ("a/index.html", Updated::Changed),
        ("b/index.html", Updated::New),
        ("c/index.html", Updated::Changed),
    ] {
        assert_eq!(update(&out, &file(path, "3")).unwrap(), updated, "{path}");
    }
    assert_eq!(
        tree(&out),
        pairs(&[
            ("a/index.html", "3"),
            ("b/index.html", "3"),
            ("c/index.html", "3")
        ])
    );
    assert_eq!(fs::read_to_string(&backup).unwrap(), "2");
    assert_eq!(
        fs::read_to_string(outside.join("index.html")).unwrap(),
        "outside"
    );
}
