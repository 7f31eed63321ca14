//! Stage 3b: images. Finds every file the site publishes besides its pages (the theme's `static/`, the site's
//! `static/`, the files beside pages in `content/`) and reads the header of each raster image among them (JPEG, PNG,
//! WebP, GIF), refusing what cannot be published: damaged files, names that lie about the format, images too large
//! to decode safely, iPhone HEIC photos. While pages render, markdown images ([`Library::picture`]) and themes
//! (`resize_image`) ask for smaller copies; afterwards [`Library::originals`] and [`Library::copies`] make the
//! files, through a cache that outlives the build. Every raster file published carries no metadata: originals are
//! published with it removed (and turned upright), copies are encoded from pixels only.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use walkdir::WalkDir;

use crate::config::{Config, IMAGE_WIDTH_MAX, ImagesConfig};
use crate::content::{Asset, relative_path};
use crate::error::{Error, Location, Result};
use crate::markdown::Picture;

mod cache;
mod probe;
mod process;
mod strip;

pub use cache::Cache;
pub use probe::{Format, Header, sniff};
use process::{Budget, Job};
pub use strip::metadata_in;

/// Where copies are published.
pub const COPIES_FOLDER: &str = "processed_images";

/// Memory for decoded pixels shared by every thread (see [`process::Budget`]): four 12-megapixel photos at once, and
/// well inside a 4 GiB machine.
const DECODE_BUDGET: u64 = 1 << 30;

/// Goes into every cache key with iopsite's version: raise it whenever a change here makes different bytes from the
/// same image and settings, so that no build publishes a copy made the old way.
const PROCESSING_REVISION: u32 = 3;

/// A raster image the site publishes.
#[derive(Debug, Clone)]
pub struct Image {
    /// The file on disk.
    pub source: PathBuf,
    /// Its path as shown in messages (`content/about/entrance.jpg`).
    pub shown: PathBuf,
    /// SHA-256 of its bytes.
    pub hash: String,
    /// Format, size and orientation.
    pub header: Header,
    /// Size of the file in bytes.
    pub len: u64,
    /// The cache entry of its published original (without metadata, upright).
    clean: String,
}

impl Image {
    fn new(source: &Path, shown: &Path, hash: String, header: Header, len: u64) -> Image {
        let key = hex_key(&format!("{}|clean|{hash}", revision()));
        // A turned GIF is published as the PNG of its first frame.
        let extension = match (header.format, header.orientation) {
            (Format::Gif, 2..) => "png",
            (format, _) => format.extension(),
        };
        Image {
            source: source.to_path_buf(),
            shown: shown.to_path_buf(),
            hash,
            header,
            len,
            clean: format!("{key}.{extension}"),
        }
    }
}

/// A copy of an image asked for by a page.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Request {
    /// The image's output path.
    of: String,
    job: Job,
    /// Its name in the cache.
    entry: String,
}

/// Every file published besides pages, and what is asked of the images among them.
#[derive(Debug)]
pub struct Library {
    settings: ImagesConfig,
    /// Output path → file on disk: the theme's static files, then the site's (which win), then `content/`'s.
    files: BTreeMap<String, PathBuf>,
    /// The raster images among them, by output path.
    images: HashMap<String, Image>,
    /// Copies asked for so far, by output path.
    wanted: Mutex<BTreeMap<String, Request>>,
    cache: Cache,
    /// Show progress on the terminal.
    progress: bool,
    /// Files made and reused so far.
    made: AtomicUsize,
    reused: AtomicUsize,
}

/// What `resize_image` gives a template (Zola's names).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resized {
    /// The copy's address, with the site's base URL.
    pub url: String,
    /// Its path in the output folder.
    pub static_path: String,
    /// Its width.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// The image's own width (upright).
    pub orig_width: u32,
    /// Its own height.
    pub orig_height: u32,
}

thread_local! {
    /// The output paths of the copies asked for on this thread while [`recording_copies`] runs.
    static COPIES_ASKED: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// Run `render` (one page's markdown and template, on this thread) and return the image copies it asked for: the
/// preview knows from them which copies a site still shows after a page changed.
pub fn recording_copies<T>(render: impl FnOnce() -> T) -> (T, Vec<String>) {
    let outer = COPIES_ASKED.with(|asked| asked.replace(Some(Vec::new())));
    let result = render();
    let mut asked = COPIES_ASKED
        .with(|asked| asked.replace(outer))
        .unwrap_or_default();
    asked.sort_unstable();
    asked.dedup();
    (result, asked)
}

/// How many copies were made and how many came from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Files made (decoded, resized, encoded or cleaned).
    pub made: usize,
    /// Files found in the cache.
    pub reused: usize,
}

impl Library {
    /// Find the published files of the site at `root` and read every raster image's header (from the cache's
    /// records when the file is unchanged). Problems with images are returned with the library, so a build can
    /// report them together with the content's.
    pub fn scan(root: &Path, config: &Config, assets: &[Asset]) -> (Library, Vec<Error>) {
        let theme = root.join("themes").join(&config.theme).join("static");
        let mut files: BTreeMap<String, (PathBuf, PathBuf)> = BTreeMap::new();
        for dir in [theme, root.join("static")] {
            for entry in WalkDir::new(&dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(std::result::Result::ok)
            {
                let name = relative_path(&dir, entry.path());
                if entry.file_type().is_file() && !crate::content::is_ignored(&name) {
                    let shown = relative_path(root, entry.path());
                    files.insert(name, (entry.path().to_path_buf(), shown.into()));
                }
            }
        }
        for asset in assets {
            let shown = PathBuf::from("content").join(&asset.file);
            files.insert(asset.file.clone(), (asset.source.clone(), shown));
        }
        let cache = Cache::of_site(root);
        let known = cache.known_sources();
        let max_pixels = u64::from(config.images.max_megapixels) * 1_000_000;
        let read: Vec<(String, Result<(Image, cache::Known)>)> = files
            .par_iter()
            .filter(|(name, _)| probe::kind_by_name(name).is_some())
            .map(|(name, (source, shown))| {
                let key = shown.to_string_lossy().into_owned();
                (
                    name.clone(),
                    read_image(source, shown, known.get(&key), max_pixels),
                )
            })
            .collect();
        let mut images = HashMap::new();
        let mut records = BTreeMap::new();
        let mut errors = Vec::new();
        for (name, result) in read {
            match result {
                Ok((image, record)) => {
                    records.insert(image.shown.to_string_lossy().into_owned(), record);
                    images.insert(name, image);
                }
                Err(err) => errors.push(err),
            }
        }
        if records != known {
            // Only a hint for the next build: if it cannot be written, that build reads the files again.
            let _ = cache.remember_sources(&records);
        }
        let library = Library {
            settings: config.images.clone(),
            files: files
                .into_iter()
                .map(|(name, (source, _))| (name, source))
                .collect(),
            images,
            wanted: Mutex::default(),
            cache,
            progress: false,
            made: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
        };
        (library, errors)
    }

    /// Show progress on the terminal while making images, if standard error is one.
    pub fn show_progress(&mut self, show: bool) {
        self.progress = show && std::io::stderr().is_terminal();
    }

    /// Whether a file is published at this output path (no leading `/`).
    pub fn has_file(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// The raster image published at this output path.
    pub fn image(&self, path: &str) -> Option<&Image> {
        self.images.get(path)
    }

    /// Every raster image published, by output path, in no particular order.
    pub fn images(&self) -> impl Iterator<Item = (&str, &Image)> {
        self.images
            .iter()
            .map(|(path, image)| (path.as_str(), image))
    }

    /// The file published at this output path (not a page or a copy).
    pub fn source_of(&self, path: &str) -> Option<&Path> {
        self.files.get(path).map(PathBuf::as_path)
    }

    /// How a markdown image of the file at `path` (output path, no leading `/`) is shown: copies at the configured
    /// widths in WebP (never wider than the image), its size at the theme's display width. `None` when the file
    /// is not a raster image. An animated GIF keeps its frames: it is shown as published, with its size.
    pub fn picture(&self, path: &str) -> Option<Picture> {
        let image = self.images.get(path)?;
        let Header { width, height, .. } = image.header;
        let shown_width = width.min(self.settings.display_width);
        let shown_height = scaled(height, shown_width, width);
        let mut picture = Picture {
            src: format!("/{path}"),
            srcset: String::new(),
            sizes: self.settings.sizes(),
            width: shown_width,
            height: shown_height,
        };
        if image.header.format == Format::Gif {
            picture.sizes.clear();
            return Some(picture);
        }
        let copies: Vec<(u32, String)> = responsive_widths(&self.settings.widths, width)
            .into_iter()
            .map(|copy_width| {
                let job = Job {
                    crop: (0, 0, width, height),
                    width: copy_width,
                    height: scaled(height, copy_width, width),
                    format: Format::Webp,
                    quality: self.settings.quality,
                };
                (copy_width, format!("/{}", self.want(path, image, job)))
            })
            .collect();
        picture.srcset = copies
            .iter()
            .map(|(copy_width, url)| format!("{url} {copy_width}w"))
            .collect::<Vec<_>>()
            .join(", ");
        // For browsers that ignore srcset: the smallest copy as wide as the image is shown, else the largest.
        let (_, src) = copies
            .iter()
            .find(|(copy_width, _)| *copy_width >= shown_width)
            .or(copies.last())
            .expect("an image has at least one copy");
        picture.src.clone_from(src);
        Some(picture)
    }

    /// Zola's `resize_image`: a copy of the image at `path` (relative to `content/` or `static/`, `@/` or `/`
    /// first allowed). `op`: `scale` (exactly this size), `fit_width`, `fit_height`, `fit` (inside the box, never
    /// larger than the image) or `fill` (cropped to the box, from the middle). `format`: `auto` (the image's own,
    /// GIF as PNG), `jpg`, `png` or `webp`. The error is a sentence for the template's author.
    pub fn resize(
        &self,
        path: &str,
        size: (Option<u32>, Option<u32>),
        op: &str,
        format: &str,
        quality: Option<u8>,
        base_url: &str,
    ) -> std::result::Result<Resized, String> {
        let path = path.trim_start_matches("@/").trim_start_matches('/');
        let image = self.images.get(path).ok_or_else(|| {
            if self.files.contains_key(path) {
                format!("resize_image: `{path}` is not a JPEG, PNG, WebP or GIF image")
            } else {
                format!("resize_image: there is no image `{path}` in content/ or static/ (write its path inside one of those folders, e.g. \"images/entrance.jpg\")")
            }
        })?;
        let Header { width, height, .. } = image.header;
        let (crop, out) = resize_plan(op, size, (width, height))?;
        if out.0 > IMAGE_WIDTH_MAX || out.1 > IMAGE_WIDTH_MAX {
            return Err(format!(
                "resize_image: {} × {} is too large (at most {IMAGE_WIDTH_MAX} pixels a side)",
                out.0, out.1
            ));
        }
        let format = match format {
            "auto" => match image.header.format {
                Format::Gif => Format::Png,
                own => own,
            },
            "jpg" | "jpeg" => Format::Jpeg,
            "png" => Format::Png,
            "webp" => Format::Webp,
            other => {
                return Err(format!(
                    "resize_image: unknown format `{other}` (use \"auto\", \"jpg\", \"png\" or \"webp\")"
                ));
            }
        };
        let quality = quality.unwrap_or(75);
        if !(1..=100).contains(&quality) {
            return Err("resize_image: quality must be between 1 and 100".into());
        }
        let job = Job {
            crop,
            width: out.0,
            height: out.1,
            format,
            quality,
        };
        let static_path = self.want(path, image, job);
        Ok(Resized {
            url: format!("{base_url}/{static_path}"),
            static_path,
            width: out.0,
            height: out.1,
            orig_width: width,
            orig_height: height,
        })
    }

    /// Record a copy as wanted; returns its output path. The copies asked for while [`recording_copies`] runs on
    /// this thread are noted too.
    fn want(&self, path: &str, image: &Image, job: Job) -> String {
        let key = copy_key(&image.hash, &job);
        let stem = Path::new(path)
            .file_stem()
            .map(|stem| crate::markdown::slugify(&stem.to_string_lossy()))
            .unwrap_or_default();
        let stem: String = stem.chars().take(40).collect();
        let extension = job.format.extension();
        let output = format!("{COPIES_FOLDER}/{stem}-{}.{extension}", &key[..12]);
        let copy = Request {
            of: path.to_string(),
            job,
            entry: format!("{key}.{extension}"),
        };
        self.wanted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(output.clone())
            .or_insert(copy);
        COPIES_ASKED.with(|asked| {
            if let Some(asked) = asked.borrow_mut().as_mut() {
                asked.push(output.clone());
            }
        });
        output
    }

    /// The output path of the file published as it is from `source` (a stylesheet, a PDF; not an image, which is
    /// cleaned of its metadata first), if one is.
    pub fn published_as(&self, source: &Path) -> Option<&str> {
        self.files
            .iter()
            .find(|(path, from)| from.as_path() == source && !self.images.contains_key(*path))
            .map(|(path, _)| path.as_str())
    }

    /// Every published file besides pages, as (output path, file to copy): raster images with their metadata
    /// removed (made now unless the cache has them), the rest as they are.
    pub fn originals(&self) -> Result<Vec<(String, PathBuf)>> {
        let to_clean: Vec<(&String, &Image, String)> = self
            .images
            .iter()
            .map(|(path, image)| (path, image, image.clean.clone()))
            .filter(|(_, _, entry)| !self.cache.has(entry))
            .collect();
        let progress = Progress::new(
            "Removing metadata from images",
            to_clean.len(),
            self.progress,
        );
        to_clean
            .par_iter()
            .map(|(_, image, entry)| {
                let bytes = read(image)?;
                let clean = clean(&bytes, image).map_err(|message| located(image, message))?;
                self.cache
                    .store(entry, &clean)
                    .map_err(|source| cache_error(&self.cache, entry, source))?;
                progress.step();
                Ok(())
            })
            .collect::<Result<Vec<()>>>()?;
        progress.finish();
        let files = self
            .files
            .iter()
            .map(|(path, source)| match self.images.get(path) {
                Some(image) => (path.clone(), self.cache.path(&image.clean)),
                None => (path.clone(), source.clone()),
            })
            .collect();
        self.count(to_clean.len(), self.images.len() - to_clean.len());
        Ok(files)
    }

    /// Every copy asked for so far, as (output path, file to copy), made now unless the cache has it. Each image
    /// is decoded once for all its missing copies.
    pub fn copies(&self) -> Result<Vec<(String, PathBuf)>> {
        self.copies_among(|_| true, |entry| self.cache.has(entry))
    }

    /// [`Library::copies`] of only these output paths (asked for already), for the preview: the copies a rebuild
    /// asked for that the last one did not. The cache's folder is looked at again rather than its listing from
    /// the scan: an `iopsite build` of the same site since then may have pruned them.
    pub fn copies_of(&self, outputs: &HashSet<String>) -> Result<Vec<(String, PathBuf)>> {
        self.copies_among(
            |output| outputs.contains(output),
            |entry| self.cache.path(entry).is_file(),
        )
    }

    /// The copies `keep` names, made now unless `cached` says the cache has them.
    fn copies_among(
        &self,
        keep: impl Fn(&str) -> bool,
        cached: impl Fn(&str) -> bool,
    ) -> Result<Vec<(String, PathBuf)>> {
        let wanted: BTreeMap<String, Request> = self
            .wanted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(output, _)| keep(output))
            .map(|(output, copy)| (output.clone(), copy.clone()))
            .collect();
        let mut missing: BTreeMap<&str, Vec<&Request>> = BTreeMap::new();
        for copy in wanted.values().filter(|copy| !cached(&copy.entry)) {
            missing.entry(copy.of.as_str()).or_default().push(copy);
        }
        let made: usize = missing.values().map(Vec::len).sum();
        let progress = Progress::new("Making image sizes", made, self.progress);
        let budget = Budget::new(DECODE_BUDGET);
        missing
            .par_iter()
            .map(|(path, copies)| {
                let image = &self.images[*path];
                let Header { width, height, .. } = image.header;
                let _held = budget.take(process::memory_for(width, height));
                let bytes = read(image)?;
                let decoded =
                    process::decode(&bytes, &image.header).map_err(|m| located(image, m))?;
                drop(bytes);
                for copy in copies {
                    let encoded = decoded.make(&copy.job).map_err(|m| located(image, m))?;
                    self.cache
                        .store(&copy.entry, &encoded)
                        .map_err(|source| cache_error(&self.cache, &copy.entry, source))?;
                    progress.step();
                }
                Ok(())
            })
            .collect::<Result<Vec<()>>>()?;
        progress.finish();
        self.count(made, wanted.len() - made);
        Ok(wanted
            .into_iter()
            .map(|(output, copy)| (output, self.cache.path(&copy.entry)))
            .collect())
    }

    fn count(&self, made: usize, reused: usize) {
        self.made.fetch_add(made, Ordering::Relaxed);
        self.reused.fetch_add(reused, Ordering::Relaxed);
    }

    /// The image files made and found in the cache so far.
    pub fn work(&self) -> Work {
        Work {
            made: self.made.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
        }
    }

    /// Remove from the cache what this build did not use (after a good build).
    pub fn prune_cache(&self) -> Result<usize> {
        let mut used: HashSet<String> = self.images.values().map(|i| i.clean.clone()).collect();
        used.extend(
            self.wanted
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .values()
                .map(|copy| copy.entry.clone()),
        );
        self.cache
            .prune(&used)
            .map_err(|source| cache_error(&self.cache, "", source))
    }
}

/// Read an image's header, from the cache's record when the file has not changed since.
fn read_image(
    source: &Path,
    shown: &Path,
    known: Option<&cache::Known>,
    max_pixels: u64,
) -> Result<(Image, cache::Known)> {
    let read_error = |source| Error::Read {
        path: shown.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(source).map_err(read_error)?;
    if let Some(known) = known.filter(|known| known.matches(&meta)) {
        let image = Image::new(source, shown, known.hash.clone(), known.header, meta.len());
        return Ok((image, known.clone()));
    }
    let bytes = std::fs::read(source).map_err(read_error)?;
    let name = shown.to_string_lossy();
    let header = probe::probe(&bytes, &name, max_pixels).map_err(|message| Error::Content {
        at: Location::file(shown),
        message,
    })?;
    let hash = cache::hash(&bytes);
    let record = cache::Known::new(&meta, hash.clone(), header);
    let image = Image::new(source, shown, hash, header, meta.len());
    Ok((image, record))
}

fn read(image: &Image) -> Result<Vec<u8>> {
    std::fs::read(&image.source).map_err(|source| Error::Read {
        path: image.shown.clone(),
        source,
    })
}

fn located(image: &Image, message: String) -> Error {
    Error::Content {
        at: Location::file(&image.shown),
        message,
    }
}

fn cache_error(cache: &Cache, entry: &str, source: std::io::Error) -> Error {
    Error::Write {
        path: cache.path(entry),
        source,
    }
}

/// The image as published at its own address: without metadata, upright. An upright image keeps its pixels
/// byte for byte; a turned one is decoded, turned and encoded again.
fn clean(bytes: &[u8], image: &Image) -> std::result::Result<Vec<u8>, String> {
    let header = &image.header;
    if header.orientation == 1 {
        return strip::strip(bytes, header.format);
    }
    let decoded = process::decode(bytes, header)?;
    let format = match header.format {
        Format::Gif => Format::Png,
        own => own,
    };
    decoded.make(&Job {
        crop: (0, 0, header.width, header.height),
        width: header.width,
        height: header.height,
        format,
        quality: 90,
    })
}

fn copy_key(hash: &str, job: &Job) -> String {
    hex_key(&format!("{}|{hash}|{job:?}", revision()))
}

/// What made a cache entry: iopsite's version and the processing revision.
fn revision() -> String {
    format!("{}+{PROCESSING_REVISION}", env!("CARGO_PKG_VERSION"))
}

fn hex_key(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    data_encoding::HEXLOWER.encode(&digest[..16])
}

/// `length` scaled by `to / from`, rounded, at least 1.
fn scaled(length: u32, to: u32, from: u32) -> u32 {
    let value = (u64::from(length) * u64::from(to) + u64::from(from) / 2) / u64::from(from.max(1));
    u32::try_from(value.max(1)).unwrap_or(u32::MAX)
}

/// The widths to make of an image `width` pixels wide: the configured ones narrower than it, and its own width
/// when the widest configured width is wider (never larger than the image).
fn responsive_widths(configured: &[u32], width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = configured.iter().copied().filter(|&w| w < width).collect();
    if configured.iter().any(|&w| w >= width) {
        widths.push(width);
    }
    widths.sort_unstable();
    widths.dedup();
    widths
}

type Crop = (u32, u32, u32, u32);

/// Zola's resize operations: the part of the image to use and the size of the result.
fn resize_plan(
    op: &str,
    (want_width, want_height): (Option<u32>, Option<u32>),
    (width, height): (u32, u32),
) -> std::result::Result<(Crop, (u32, u32)), String> {
    let whole = (0, 0, width, height);
    let need = |value: Option<u32>, name: &str| {
        value
            .filter(|&v| v > 0)
            .ok_or_else(|| format!("resize_image: op=\"{op}\" needs a {name} greater than 0"))
    };
    Ok(match op {
        "scale" => (
            whole,
            (need(want_width, "width")?, need(want_height, "height")?),
        ),
        "fit_width" => {
            let w = need(want_width, "width")?;
            (whole, (w, scaled(height, w, width)))
        }
        "fit_height" => {
            let h = need(want_height, "height")?;
            (whole, (scaled(width, h, height), h))
        }
        "fit" => {
            let (w, h) = (need(want_width, "width")?, need(want_height, "height")?);
            if width <= w && height <= h {
                (whole, (width, height))
            } else if u64::from(width) * u64::from(h) > u64::from(height) * u64::from(w) {
                (whole, (w, scaled(height, w, width)))
            } else {
                (whole, (scaled(width, h, height), h))
            }
        }
        "fill" => {
            let (w, h) = (need(want_width, "width")?, need(want_height, "height")?);
            // The largest part of the image with the box's proportions, from the middle.
            let (crop_width, crop_height) =
                if u64::from(width) * u64::from(h) > u64::from(height) * u64::from(w) {
                    (scaled(w, height, h).min(width), height)
                } else {
                    (width, scaled(h, width, w).min(height))
                };
            (
                (
                    (width - crop_width) / 2,
                    (height - crop_height) / 2,
                    crop_width,
                    crop_height,
                ),
                (w, h),
            )
        }
        other => {
            return Err(format!(
                "resize_image: unknown op `{other}` (use \"scale\", \"fit_width\", \"fit_height\", \"fit\" or \"fill\")"
            ));
        }
    })
}

/// "Making image sizes: 12/50" on the terminal, kept on one line.
struct Progress {
    label: &'static str,
    total: usize,
    done: AtomicUsize,
    shown: bool,
}

impl Progress {
    fn new(label: &'static str, total: usize, enabled: bool) -> Progress {
        Progress {
            label,
            total,
            done: AtomicUsize::new(0),
            shown: enabled && total > 0,
        }
    }

    fn step(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.shown {
            eprint!("\r{}: {done}/{}", self.label, self.total);
        }
    }

    fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests;
