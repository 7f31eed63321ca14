//! Images: every raster file published carries no metadata (read back from the output's bytes), markdown images
//! become responsive copies, the cache is used, and each kind of bad image gets a located, plain message that
//! leaves `public/` as it was. Fixture images are made here: no binaries in the repository.

#![allow(
    clippy::cast_possible_truncation,
    reason = "fixture pixel values and EXIF offsets are small by construction"
)]

use std::fs;
use std::io::Cursor;
use std::path::Path;

use image::{ImageDecoder, ImageEncoder, RgbImage};

use crate::support::SiteTest;

/// A latitude written into the test photos' GPS data; it must appear in no published byte.
const SECRET_LATITUDE: [u32; 6] = [41, 1, 53, 1, 1234, 100];
const CAMERA: &[u8] = b"SecretPhone 12\0";

/// A photo-like JPEG, `width` × `height` as stored, with noise and gradients, carrying EXIF (orientation, camera,
/// GPS), XMP and a comment, and a second picture with its own EXIF appended after its end (as phones do).
pub(crate) fn phone_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let mut seed = 12345u32;
    let image = RgbImage::from_fn(width, height, |x, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let noise = (seed >> 16) as u8 % 24;
        // Top left quarter red, so a test can tell which way up the image was published.
        let red = if x < width / 2 && y < height / 2 {
            200
        } else {
            20
        };
        image::Rgb([
            red + noise,
            (x * 200 / width) as u8 + noise,
            (y * 200 / height) as u8 + noise,
        ])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(&image, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    with_metadata(&jpeg, orientation)
}

fn with_metadata(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let exif = exif(orientation);
    let mut out = vec![0xFF, 0xD8];
    segment(&mut out, 0xE1, &[b"Exif\0\0".as_slice(), &exif].concat());
    segment(
        &mut out,
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>41,53N</exif:GPSLatitude></x:xmpmeta>",
    );
    segment(&mut out, 0xFE, b"taken at the clinic back door");
    out.extend_from_slice(&jpeg[2..]);
    // An appended second picture (like a phone's depth map), with its own EXIF.
    out.extend_from_slice(&[0xFF, 0xD8]);
    segment(&mut out, 0xE1, &[b"Exif\0\0".as_slice(), &exif].concat());
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn segment(out: &mut Vec<u8>, marker: u8, data: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&u16::try_from(data.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(data);
}

/// A little-endian TIFF with IFD0 (orientation, camera make, GPS pointer) and a GPS IFD (latitude).
fn exif(orientation: u16) -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    };
    // IFD0 at 8: 3 entries (2 + 36 + 4 = 42 bytes) → the make at 50, the GPS IFD after it.
    let make_at = 50u32;
    let gps_at = make_at + CAMERA.len() as u32;
    t.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut t, 0x010F, 2, CAMERA.len() as u32, make_at);
    entry(&mut t, 0x0112, 3, 1, u32::from(orientation));
    entry(&mut t, 0x8825, 4, 1, gps_at);
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(CAMERA);
    // GPS IFD: 2 entries (2 + 24 + 4 = 30 bytes) → the rationals after it.
    let rationals_at = gps_at + 30;
    t.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 0x0002, 5, 3, rationals_at);
    t.extend_from_slice(&0u32.to_le_bytes());
    for value in SECRET_LATITUDE {
        t.extend_from_slice(&value.to_le_bytes());
    }
    t
}

/// A PNG with a text chunk and an EXIF chunk.
fn png_with_text(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&image, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut parsed = img_parts::png::Png::from_bytes(png.into()).unwrap();
    let at = parsed.chunks().len() - 1;
    parsed.chunks_mut().insert(
        at,
        img_parts::png::PngChunk::new(*b"tEXt", b"Author\0Clinic Staff Phone".to_vec().into()),
    );
    parsed
        .chunks_mut()
        .insert(at, img_parts::png::PngChunk::new(*b"eXIf", exif(1).into()));
    parsed.encoder().bytes().to_vec()
}

/// A small real PNG, for fixtures that need an image to exist.
pub(crate) fn small_png() -> Vec<u8> {
    png_with_text(40, 30)
}

pub(crate) fn put(site: &SiteTest, path: &str, bytes: &[u8]) {
    let path = site.root().join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// What a published file must not hold: EXIF, XMP, comments, the camera, the GPS position, anything after the end.
fn assert_clean(path: &Path) {
    let bytes = fs::read(path).unwrap();
    let name = path.display();
    for needle in [
        b"Exif".as_slice(),
        b"xmpmeta",
        b"SecretPhone",
        b"clinic back door",
        b"Clinic Staff",
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{name} still holds {:?}",
            String::from_utf8_lossy(needle)
        );
    }
    let latitude: Vec<u8> = SECRET_LATITUDE
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert!(
        !bytes.windows(latitude.len()).any(|w| w == latitude),
        "{name} holds the GPS position"
    );
    let format = image::guess_format(&bytes).unwrap();
    let mut decoder = image::ImageReader::with_format(Cursor::new(&bytes), format)
        .into_decoder()
        .unwrap();
    assert_eq!(decoder.exif_metadata().unwrap(), None, "{name} has EXIF");
    match format {
        image::ImageFormat::Jpeg => {
            let jpeg = img_parts::jpeg::Jpeg::from_bytes(bytes.clone().into()).unwrap();
            for segment in jpeg.segments() {
                assert!(
                    !matches!(segment.marker(), 0xE1 | 0xE3..=0xED | 0xFE),
                    "{name} has a metadata segment {:X}",
                    segment.marker()
                );
            }
            assert_eq!(
                &bytes[bytes.len() - 2..],
                [0xFF, 0xD9],
                "{name}: bytes after the image's end"
            );
            assert_eq!(
                bytes.windows(2).filter(|w| *w == [0xFF, 0xD8]).count(),
                1,
                "{name} holds a second picture"
            );
        }
        image::ImageFormat::Png => {
            let png = img_parts::png::Png::from_bytes(bytes.clone().into()).unwrap();
            for chunk in png.chunks() {
                assert!(
                    !matches!(
                        &chunk.kind(),
                        b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME"
                    ),
                    "{name} has a {:?} chunk",
                    String::from_utf8_lossy(&chunk.kind())
                );
            }
        }
        image::ImageFormat::WebP => {
            let webp = img_parts::webp::WebP::from_bytes(bytes.clone().into()).unwrap();
            for chunk in webp.chunks() {
                assert!(
                    !matches!(&chunk.id(), b"EXIF" | b"XMP "),
                    "{name} has metadata"
                );
            }
        }
        _ => {}
    }
    // And it is still a picture.
    image::load_from_memory(&bytes).unwrap_or_else(|err| panic!("{name} does not decode: {err}"));
}

fn images_under(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_lowercase();
            [".jpg", ".jpeg", ".png", ".webp", ".gif"]
                .iter()
                .any(|ext| name.ends_with(ext))
        })
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// The `basic` fixture with a phone photo beside a page, a PNG in static/, and a page showing both.
fn site_with_photos() -> SiteTest {
    let site = SiteTest::fixture("basic");
    put(
        &site,
        "content/visit/entrance.jpg",
        &phone_jpeg(1600, 1200, 1),
    );
    put(&site, "static/images/map.png", &png_with_text(300, 200));
    site.write(
        "content/visit/index.md",
        "+++\ntitle = \"Visiting us\"\ndescription = \"How to find the entrance.\"\n+++\n\nThe entrance:\n\n\
         ![The front entrance, with a blue door](entrance.jpg)\n\nA map:\n\n![Map of the street](/images/map.png \"The street\")\n",
    );
    site
}

#[test]
fn every_published_image_has_no_metadata() {
    let site = site_with_photos();
    site.run(&["build"]).success();
    let published = images_under(&site.root().join("public"));
    // The original, the PNG, and copies of each.
    assert!(published.len() >= 5, "{published:?}");
    for path in &published {
        assert_clean(path);
    }
    // Readable by a web server running as another user.
    for path in &published {
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&fs::metadata(path).unwrap().permissions());
        assert_eq!(mode & 0o644, 0o644, "{} has mode {mode:o}", path.display());
    }
    // The original keeps its pixels: same size, still a JPEG.
    let original = image::open(site.root().join("public/visit/entrance.jpg")).unwrap();
    assert_eq!((original.width(), original.height()), (1600, 1200));
}

#[test]
fn markdown_images_become_responsive_without_upscaling() {
    let site = site_with_photos();
    site.run(&["build"]).success();
    let html = site.main_html("visit/index.html");
    let first = &html[html.find("<img").unwrap()..];
    let first = &first[..=first.find('>').unwrap()];
    // 1600 wide: the 480, 800 and 1200 copies, and its own width instead of 1920 (never upscaled).
    assert!(first.contains(" 480w, "), "{first}");
    assert!(
        first.contains(" 800w, ") && first.contains(" 1200w, ") && first.contains(" 1600w\""),
        "{first}"
    );
    assert!(!first.contains("1920w"), "{first}");
    assert!(
        first.contains("sizes=\"(max-width: 1200px) 100vw, 1200px\""),
        "{first}"
    );
    assert!(first.contains("width=\"1200\" height=\"900\""), "{first}");
    assert!(
        first.contains("alt=\"The front entrance, with a blue door\""),
        "{first}"
    );
    assert!(
        first.contains("fetchpriority=\"high\"") && !first.contains("loading="),
        "{first}"
    );
    // The second image is lazy, and keeps its title; a 300-pixel PNG has one copy, at its own width.
    let second = &html[html.rfind("<img").unwrap()..];
    assert!(
        second.contains("loading=\"lazy\" decoding=\"async\""),
        "{second}"
    );
    assert!(second.contains("title=\"The street\""), "{second}");
    assert!(
        second.contains(" 300w\"") && second.contains("width=\"300\" height=\"200\""),
        "{second}"
    );
    // Every copy named in srcset exists, is WebP, and has the width it claims.
    for candidate in first
        .split("srcset=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .split(", ")
    {
        let (url, width) = candidate.split_once(' ').unwrap();
        let bytes = fs::read(site.root().join("public").join(&url[1..])).unwrap();
        assert_eq!(
            image::guess_format(&bytes).unwrap(),
            image::ImageFormat::WebP
        );
        let copy = image::load_from_memory(&bytes).unwrap();
        assert_eq!(format!("{}w", copy.width()), width);
        assert_eq!(copy.height(), copy.width() * 3 / 4);
    }
}

#[test]
fn orientation_is_applied_to_originals_and_copies() {
    let site = SiteTest::fixture("basic");
    // Stored 800 × 600 on its side (EXIF 6: turn 90° clockwise to show): shown 600 × 800.
    put(&site, "content/turned.jpg", &phone_jpeg(800, 600, 6));
    site.write(
        "content/turned.md",
        "+++\ntitle = \"Turned\"\n+++\n\n![A turned photo](turned.jpg)\n",
    );
    site.run(&["build"]).success();
    let original = image::open(site.root().join("public/turned.jpg"))
        .unwrap()
        .to_rgb8();
    assert_eq!((original.width(), original.height()), (600, 800));
    // The red quarter was top left as stored; turned clockwise it is top right.
    assert!(
        original.get_pixel(450, 100)[0] > 150,
        "{:?}",
        original.get_pixel(450, 100)
    );
    assert!(
        original.get_pixel(100, 100)[0] < 100,
        "{:?}",
        original.get_pixel(100, 100)
    );
    assert_clean(&site.root().join("public/turned.jpg"));
    let html = site.main_html("turned/index.html");
    assert!(html.contains("width=\"600\" height=\"800\""), "{html}");
    assert!(
        html.contains(" 480w, ") && html.contains(" 600w\""),
        "{html}"
    );
}

#[test]
fn a_second_build_reuses_the_cache_and_a_changed_photo_is_made_again() {
    let site = site_with_photos();
    let first = site.run(&["build"]);
    first.success();
    assert!(
        first.stdout().contains("images: 7 made, 0 reused"),
        "{}",
        first.stdout()
    );
    let copies = site.snapshot_of(".iopsite/cache/images");
    let second = site.run(&["build"]);
    second.success();
    assert!(
        second.stdout().contains("images: 0 made, 7 reused"),
        "{}",
        second.stdout()
    );
    assert_eq!(site.snapshot_of(".iopsite/cache/images"), copies);
    // A changed photo: new copies under new names; the old ones leave the cache.
    put(
        &site,
        "content/visit/entrance.jpg",
        &phone_jpeg(1000, 750, 1),
    );
    let third = site.run(&["build"]);
    third.success();
    assert!(
        third.stdout().contains("images: 4 made, 2 reused"),
        "{}",
        third.stdout()
    );
    let html = site.main_html("visit/index.html");
    assert!(
        html.contains(" 1000w\"") && !html.contains("1600w"),
        "{html}"
    );
    let cached = site.snapshot_of(".iopsite/cache/images");
    // sources.json, the 2 cleaned originals, 3 copies of the photo and 1 of the PNG: nothing stale.
    assert_eq!(
        cached.len(),
        7,
        "{:?}",
        cached.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
}

/// A bad image stops the build with the image's path and a plain message, and `public/` stays as it was.
fn assert_refused(file: &str, bytes: &[u8], expected: &str) {
    let site = site_with_photos();
    site.run(&["build"]).success();
    let before = site.snapshot();
    put(&site, file, bytes);
    let run = site.run(&["build"]);
    run.failure().stderr_has(expected);
    assert_eq!(site.snapshot(), before, "{file}: public/ changed");
}

#[test]
fn bad_images_are_refused_with_their_path() {
    let photo = phone_jpeg(64, 48, 1);
    assert_refused(
        "content/visit/broken.jpg",
        &photo[..photo.len() / 3],
        "content/visit/broken.jpg: the image is damaged or incomplete",
    );
    assert_refused(
        "static/lies.png",
        &photo,
        "static/lies.png: the file name says PNG but the file is really a JPEG image: rename it to end in .jpg",
    );
    assert_refused(
        "content/visit/IMG_0001.HEIC",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
        "content/visit/IMG_0001.HEIC: this is an iPhone photo in HEIC format",
    );
    assert_refused(
        "static/empty.jpg",
        b"",
        "static/empty.jpg: the file is empty",
    );
    assert_refused(
        "static/notes.gif",
        b"these are not the pixels you are looking for",
        "static/notes.gif: this file is not a JPEG, PNG, WebP or GIF image",
    );
}

#[test]
fn a_decompression_bomb_is_refused_from_its_header() {
    // A PNG header claiming 100,000 × 100,000 pixels (10 gigapixels), with almost no data.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    assert_refused(
        "static/bomb.png",
        &png,
        "static/bomb.png: this image is 100000 × 100000 pixels (10000 megapixels), more than the 100 megapixels",
    );
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_missing_image_names_the_markdown_line() {
    let site = SiteTest::fixture("basic");
    site.write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\n\nText.\n\n![Our building](/images/building.jpg)\n",
    );
    site.run(&["build"])
        .failure()
        .stderr_has("content/about.md:7: the image `/images/building.jpg` does not exist: put the file in static/images/building.jpg");
}

#[test]
fn images_settings_out_of_range_are_refused_with_their_line() {
    let site = SiteTest::fixture("basic");
    let config = fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write("config.toml", &format!("{config}\n[images]\nquality = 0\n"));
    let line = config.lines().count() + 3;
    site.run(&["build"]).failure().stderr_has(&format!(
        "config.toml:{line}: quality must be between 1 and 100"
    ));
}

/// A theme written for Zola that calls `resize_image` with each of Zola's operations.
const ZOLA_RESIZE_TEMPLATE: &str = r#"{% extends "base.html" %}
{% block content %}
{% set fill = resize_image(path="blog/cover.jpg", width=300, height=300, op="fill") %}
<img class="fill" src="{{ fill.url }}" width="{{ fill.width }}" height="{{ fill.height }}" alt="">
{% set fit_width = resize_image(path="blog/cover.jpg", width=400, op="fit_width", format="webp") %}
<img class="fit_width" src="{{ fit_width.url }}" width="{{ fit_width.width }}" height="{{ fit_width.height }}" alt="">
{% set fit_height = resize_image(path="@/blog/cover.jpg", height=150, op="fit_height", quality=60) %}
<img class="fit_height" src="{{ fit_height.url }}" data-orig="{{ fit_height.orig_width }}x{{ fit_height.orig_height }}" alt="">
{% set fit = resize_image(path="images/logo.png", width=100, height=100, op="fit") %}
<img class="fit" src="{{ fit.url }}" width="{{ fit.width }}" height="{{ fit.height }}" alt="">
{% set scale = resize_image(path="/images/logo.png", width=50, height=70, op="scale", format="jpg") %}
<img class="scale" src="{{ scale.url }}" alt="">
{{ page.content | safe }}
{% endblock content %}
"#;

/// (url, width, height, format) of the `<img class="NAME">` in `html`, read back from the file it names.
fn made(site: &SiteTest, html: &str, class: &str) -> (String, u32, u32, image::ImageFormat) {
    let tag = &html[html.find(&format!("class=\"{class}\"")).unwrap()..];
    let url = tag
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let path = url.strip_prefix("https://blog.example.org/").unwrap();
    let bytes = fs::read(site.root().join("public").join(path)).unwrap();
    let format = image::guess_format(&bytes).unwrap();
    let copy = image::load_from_memory(&bytes).unwrap();
    assert_clean(&site.root().join("public").join(path));
    (url.to_string(), copy.width(), copy.height(), format)
}

fn shape(
    (_, width, height, format): (String, u32, u32, image::ImageFormat),
) -> (u32, u32, image::ImageFormat) {
    (width, height, format)
}

#[test]
fn zolas_resize_image_works_in_a_zola_theme() {
    use image::ImageFormat::{Jpeg, Png, WebP};
    let site = SiteTest::fixture("zola_theme");
    put(&site, "content/blog/cover.jpg", &phone_jpeg(800, 600, 1));
    put(&site, "static/images/logo.png", &png_with_text(300, 200));
    site.write("templates/page.html", ZOLA_RESIZE_TEMPLATE);
    site.run(&["build"]).success();
    let html = site.public("blog/first/index.html");
    let fill = made(&site, &html, "fill");
    assert_eq!((fill.1, fill.2, fill.3), (300, 300, Jpeg));
    assert!(html.contains(r#"width="300" height="300""#), "{html}");
    assert!(
        fill.0
            .starts_with("https://blog.example.org/processed_images/cover-"),
        "{}",
        fill.0
    );
    assert_eq!(shape(made(&site, &html, "fit_width")), (400, 300, WebP));
    assert_eq!(shape(made(&site, &html, "fit_height")), (200, 150, Jpeg));
    assert!(html.contains(r#"data-orig="800x600""#), "{html}");
    // `fit` keeps the proportions inside the box; `scale` does not.
    assert_eq!(shape(made(&site, &html, "fit")), (100, 67, Png));
    assert_eq!(shape(made(&site, &html, "scale")), (50, 70, Jpeg));
}

#[test]
fn resize_image_errors_name_the_template_line() {
    let site = SiteTest::fixture("zola_theme");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% set i = resize_image(path=\"nowhere.jpg\", width=10, height=10) %}\n{% endblock content %}\n",
    );
    site.run(&["build"])
        .failure()
        .stderr_has("templates/page.html:3")
        .stderr_has("resize_image: there is no image `nowhere.jpg` in content/ or static/");
    put(&site, "static/a.png", &small_png());
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% set i = resize_image(path=\"a.png\", width=10, height=10, op=\"stretch\") %}\n{% endblock content %}\n",
    );
    site.run(&["build"])
        .failure()
        .stderr_has("resize_image: unknown op `stretch`");
}

#[test]
fn check_reports_large_originals_unprocessed_images_with_metadata_and_unsafe_svgs() {
    let site = SiteTest::fixture("basic");
    // 6,400 pixels wide: over the 6,000-pixel limit, though small in bytes.
    put(
        &site,
        "content/guide/panorama.jpg",
        &phone_jpeg(6400, 40, 1),
    );
    // A phone photo under a name the build does not know as an image: published as it is, metadata and all.
    put(
        &site,
        "static/downloads/photo.jpg_large",
        &phone_jpeg(64, 48, 1),
    );
    site.write(
        "static/images/badge.svg",
        "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"track()\">\n\
         <script>fetch('https://evil.example/p')</script>\n\
         <image href=\"https://cdn.example.com/face.png\" width=\"10\" height=\"10\"/>\n\
         <style>\n.a { fill: url(#grad) }\n@import url(https://fonts.example.net/f.css);\n</style>\n\
         <a xlink:href=\"#local\"><rect width=\"5\" height=\"5\"/></a>\n</svg>\n",
    );
    site.write(
        "static/images/plain.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"5\" height=\"5\"/></svg>\n",
    );
    let run = site.run(&["check"]);
    run.failure();
    let out = run.stdout();
    let has = |text: &str| assert!(out.contains(text), "missing {text:?} in:\n{out}");
    has("content/guide/panorama.jpg: warning: this image is 6400 × 40 pixels");
    has("[image-size]");
    has(
        "public/downloads/photo.jpg_large: error: this published image still holds EXIF, XMP, IPTC or comments",
    );
    has("static/images/badge.svg:2: error: this SVG has an event handler `onload`");
    has("static/images/badge.svg:3: error: this SVG holds a <script>");
    has(
        "static/images/badge.svg:4: error: this SVG loads `https://cdn.example.com/face.png` from another host",
    );
    has(
        "static/images/badge.svg:7: error: this SVG loads `https://fonts.example.net/f.css` from another host",
    );
    assert!(!out.contains("plain.svg"), "{out}");
    assert!(!out.contains("#grad") && !out.contains("#local"), "{out}");
    // Nothing the build made is reported: its own images are clean.
    assert!(
        !out.contains("public/guide/panorama.jpg") && !out.contains("processed_images"),
        "{out}"
    );
}

#[test]
fn progress_shows_on_a_terminal_and_not_in_a_log() {
    let site = site_with_photos();
    let logged = site.run(&["build"]);
    logged.success();
    assert!(!logged.stderr().contains("image"), "{}", logged.stderr());
    fs::remove_dir_all(site.root().join(".iopsite/cache")).unwrap();
    // `script` (util-linux) runs the build on a pseudo-terminal, as when staff type the command.
    let command = format!(
        "{} build --root {}",
        crate::support::binary(),
        site.root().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("`script` from util-linux runs the build on a terminal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Making image sizes: 5/5"), "{text}");
    assert!(
        text.contains("Removing metadata from images: 2/2"),
        "{text}"
    );
}
