//! The image stage's pure parts: planning sizes, and hostile input to the header reader and the metadata remover
//! (never a panic, never memory beyond the header's promise).

#![allow(
    clippy::cast_possible_truncation,
    reason = "test pixel values wrap on purpose"
)]

use image::{RgbImage, RgbaImage};

use super::probe::{self, Format};
use super::strip::strip;
use super::*;

fn encoded(format: image::ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 7 % 256) as u8,
            (y * 5 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

const MP: u64 = 1_000_000;

#[test]
fn widths_are_never_larger_than_the_image() {
    let widths = [480, 800, 1200, 1920];
    assert_eq!(responsive_widths(&widths, 4000), [480, 800, 1200, 1920]);
    assert_eq!(responsive_widths(&widths, 1920), [480, 800, 1200, 1920]);
    assert_eq!(responsive_widths(&widths, 1000), [480, 800, 1000]);
    assert_eq!(responsive_widths(&widths, 300), [300]);
    assert_eq!(responsive_widths(&[800, 480, 800], 600), [480, 600]);
}

#[test]
fn zolas_operations_give_zolas_sizes() {
    let image = (800, 600);
    assert_eq!(
        resize_plan("scale", (Some(50), Some(70)), image).unwrap().1,
        (50, 70)
    );
    assert_eq!(
        resize_plan("fit_width", (Some(400), None), image)
            .unwrap()
            .1,
        (400, 300)
    );
    assert_eq!(
        resize_plan("fit_height", (None, Some(150)), image)
            .unwrap()
            .1,
        (200, 150)
    );
    assert_eq!(
        resize_plan("fit", (Some(100), Some(100)), image).unwrap().1,
        (100, 75)
    );
    // `fit` never enlarges.
    assert_eq!(
        resize_plan("fit", (Some(1000), Some(1000)), image)
            .unwrap()
            .1,
        (800, 600)
    );
    // `fill` crops the middle to the box's shape.
    let (crop, size) = resize_plan("fill", (Some(300), Some(300)), image).unwrap();
    assert_eq!((crop, size), ((100, 0, 600, 600), (300, 300)));
    let (crop, _) = resize_plan("fill", (Some(400), Some(100)), image).unwrap();
    assert_eq!(crop, (0, 200, 800, 200));
    for (op, size) in [
        ("fit_width", (None, Some(3))),
        ("fill", (Some(3), None)),
        ("scale", (Some(0), Some(3))),
    ] {
        let err = resize_plan(op, size, image).unwrap_err();
        assert!(err.contains("needs a"), "{err}");
    }
    assert!(
        resize_plan("crop", (Some(1), Some(1)), image)
            .unwrap_err()
            .contains("unknown op `crop`")
    );
}

#[test]
fn the_header_gives_format_and_upright_size() {
    let png = encoded(image::ImageFormat::Png, 30, 20);
    let header = probe::probe(&png, "a.png", 100 * MP).unwrap();
    assert_eq!(
        (
            header.format,
            header.width,
            header.height,
            header.orientation
        ),
        (Format::Png, 30, 20, 1)
    );
    let gif = encoded(image::ImageFormat::Gif, 5, 9);
    assert_eq!(
        probe::probe(&gif, "a.gif", 100 * MP).unwrap().format,
        Format::Gif
    );
    // The name's case does not matter; a name with no known extension is judged by its bytes.
    assert!(probe::probe(&png, "A.PNG", 100 * MP).is_ok());
    assert!(probe::probe(&png, "README", 100 * MP).is_ok());
}

#[test]
fn sizes_past_the_limit_are_refused_from_the_header() {
    let png = encoded(image::ImageFormat::Png, 30, 20);
    let err = probe::probe(&png, "a.png", 500).unwrap_err();
    assert!(err.starts_with("this image is 30 × 20 pixels"), "{err}");
    // A GIF claiming 65,535 × 65,535 (4.3 gigapixels) in 20 bytes.
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]);
    gif.extend_from_slice(&[
        0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 2, 2, 0x44, 0x01, 0, 0x3B,
    ]);
    let err = probe::probe(&gif, "bomb.gif", 100 * MP).unwrap_err();
    assert!(err.contains("65535 × 65535 pixels"), "{err}");
    // A WebP whose extended header claims a 16,384 × 16,384 canvas.
    let mut webp = b"RIFF\x1e\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    webp.extend_from_slice(&[0xFF, 0x3F, 0x00, 0xFF, 0x3F, 0x00]);
    let err = probe::probe(&webp, "bomb.webp", 100 * MP).unwrap_err();
    assert!(err.contains("16384 × 16384 pixels"), "{err}");
}

#[test]
fn other_formats_get_advice() {
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    assert!(
        probe::probe(heic, "IMG_1.jpg", MP)
            .unwrap_err()
            .contains("HEIC")
    );
    let avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf";
    assert!(
        probe::probe(avif, "a.avif", MP)
            .unwrap_err()
            .contains("AVIF")
    );
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>";
    assert!(
        probe::probe(svg, "a.png", MP)
            .unwrap_err()
            .contains("not a JPEG, PNG, WebP or GIF")
    );
}

/// Every prefix of a real image, and the image with bytes flipped: the header reader, the metadata remover and the
/// decoder each give an answer (an error is fine), never a panic.
#[test]
fn damaged_files_are_errors_not_crashes() {
    let alpha = RgbaImage::from_fn(17, 13, |x, y| {
        image::Rgba([x as u8 * 9, y as u8 * 11, 40, 128])
    });
    let mut webp = std::io::Cursor::new(Vec::new());
    alpha.write_to(&mut webp, image::ImageFormat::WebP).unwrap();
    let samples = [
        (encoded(image::ImageFormat::Jpeg, 40, 30), "a.jpg"),
        (encoded(image::ImageFormat::Png, 40, 30), "a.png"),
        (encoded(image::ImageFormat::Gif, 40, 30), "a.gif"),
        (webp.into_inner(), "a.webp"),
    ];
    for (bytes, name) in &samples {
        let header = probe::probe(bytes, name, MP).unwrap();
        strip(bytes, header.format).unwrap();
        process::decode(bytes, &header).unwrap();
        let step = (bytes.len() / 60).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let part = &bytes[..cut];
            if let Ok(header) = probe::probe(part, name, MP) {
                let _ = strip(part, header.format);
                let _ = process::decode(part, &header);
            }
        }
        let mut seed = 7u32;
        for _ in 0..40 {
            let mut flipped = bytes.clone();
            for _ in 0..4 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let at = (seed >> 8) as usize % flipped.len();
                flipped[at] ^= (seed >> 24) as u8 | 1;
            }
            if let Ok(header) = probe::probe(&flipped, name, MP) {
                let _ = strip(&flipped, header.format);
                let _ = process::decode(&flipped, &header);
            }
        }
    }
}

#[test]
fn a_jpeg_whose_segment_runs_past_the_end_is_damaged() {
    // SOI, then an APP1 claiming 60,000 bytes with 4 present.
    let bytes = [0xFF, 0xD8, 0xFF, 0xE1, 0xEA, 0x60, 1, 2, 3, 4];
    assert!(strip(&bytes, Format::Jpeg).unwrap_err().contains("damaged"));
    // A length below 2 is impossible.
    let bytes = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0xFF, 0xD9];
    assert!(strip(&bytes, Format::Jpeg).is_err());
    // No end marker: damaged, not an endless loop.
    let bytes = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 1, 2, 0xFF, 0x00, 3];
    assert!(strip(&bytes, Format::Jpeg).is_err());
}

#[test]
fn the_jpeg_metadata_remover_keeps_the_pixels_and_the_color_profile() {
    let jpeg = encoded(image::ImageFormat::Jpeg, 40, 30);
    let mut with = jpeg[..2].to_vec();
    let segment = |out: &mut Vec<u8>, marker: u8, data: &[u8]| {
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&u16::try_from(data.len() + 2).unwrap().to_be_bytes());
        out.extend_from_slice(data);
    };
    segment(&mut with, 0xE2, b"ICC_PROFILE\0\x01\x01profile");
    segment(&mut with, 0xE1, b"Exif\0\0II*\0secret");
    segment(&mut with, 0xED, b"Photoshop 3.0\0IPTC secret");
    segment(&mut with, 0xE2, b"MPF\0secret index");
    segment(&mut with, 0xFE, b"a comment");
    with.extend_from_slice(&jpeg[2..]);
    with.extend_from_slice(b"trailing secret");
    let clean = strip(&with, Format::Jpeg).unwrap();
    assert!(!clean.windows(6).any(|w| w == b"secret"));
    assert!(!clean.windows(7).any(|w| w == b"comment"));
    assert!(clean.windows(11).any(|w| w == b"ICC_PROFILE"));
    let before = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    let after = image::load_from_memory(&clean).unwrap().to_rgb8();
    assert_eq!(before, after);
}

#[test]
fn png_and_webp_lose_text_and_exif_chunks() {
    let png = encoded(image::ImageFormat::Png, 8, 8);
    let mut parsed = img_parts::png::Png::from_bytes(png.clone().into()).unwrap();
    let at = parsed.chunks().len() - 1;
    for kind in [b"tEXt", b"eXIf", b"zTXt", b"iTXt", b"tIME", b"prVt"] {
        parsed.chunks_mut().insert(
            at,
            img_parts::png::PngChunk::new(*kind, b"secret".to_vec().into()),
        );
    }
    let with = parsed.encoder().bytes();
    let clean = strip(&with, Format::Png).unwrap();
    assert!(!clean.windows(6).any(|w| w == b"secret"));
    assert_eq!(
        image::load_from_memory(&clean).unwrap().to_rgb8(),
        image::load_from_memory(&png).unwrap().to_rgb8()
    );

    let webp = encoded(image::ImageFormat::WebP, 8, 8);
    let mut parsed = img_parts::webp::WebP::from_bytes(webp.into()).unwrap();
    img_parts::ImageEXIF::set_exif(&mut parsed, Some(b"II*\0secret".to_vec().into()));
    parsed.chunks_mut().push(img_parts::riff::RiffChunk::new(
        *b"XMP ",
        img_parts::riff::RiffContent::Data(b"<x:xmpmeta>secret".to_vec().into()),
    ));
    let with = parsed.encoder().bytes();
    assert!(with.windows(6).any(|w| w == b"secret"));
    let clean = strip(&with, Format::Webp).unwrap();
    assert!(!clean.windows(6).any(|w| w == b"secret"));
    image::load_from_memory(&clean).unwrap();
}

#[test]
fn a_gif_keeps_its_frames_and_loop_but_not_its_comments() {
    let mut bytes = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut bytes, 4, 4, &[0, 0, 0, 255, 255, 255]).unwrap();
        encoder.set_repeat(gif::Repeat::Infinite).unwrap();
        for shade in [0u8, 1] {
            let mut frame = gif::Frame::from_indexed_pixels(4, 4, vec![shade; 16], None);
            frame.delay = 50;
            encoder.write_frame(&frame).unwrap();
        }
    }
    // A comment extension with a secret, before the trailer.
    let trailer = bytes.pop().unwrap();
    bytes.extend_from_slice(&[0x21, 0xFE, 6]);
    bytes.extend_from_slice(b"secret");
    bytes.extend_from_slice(&[0, trailer]);
    let clean = strip(&bytes, Format::Gif).unwrap();
    assert!(!clean.windows(6).any(|w| w == b"secret"));
    let mut decoder = gif::DecodeOptions::new()
        .read_info(std::io::Cursor::new(&clean))
        .unwrap();
    let mut frames = 0;
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        assert_eq!(frame.delay, 50);
        frames += 1;
    }
    assert_eq!(frames, 2);
    assert_eq!(decoder.repeat(), gif::Repeat::Infinite);
}

#[test]
fn metadata_is_found_in_each_format_and_not_in_clean_files() {
    use super::strip::metadata_in;
    for format in [
        image::ImageFormat::Jpeg,
        image::ImageFormat::Png,
        image::ImageFormat::WebP,
        image::ImageFormat::Gif,
    ] {
        let clean = encoded(format, 12, 8);
        assert_eq!(metadata_in(&clean), None, "{format:?}");
    }
    let jpeg = encoded(image::ImageFormat::Jpeg, 12, 8);
    let mut with = jpeg[..2].to_vec();
    with.extend_from_slice(&[0xFF, 0xFE, 0, 5, b'h', b'i', b'!']);
    with.extend_from_slice(&jpeg[2..]);
    assert!(metadata_in(&with).is_some());
    let png = encoded(image::ImageFormat::Png, 8, 8);
    let mut parsed = img_parts::png::Png::from_bytes(png.into()).unwrap();
    let at = parsed.chunks().len() - 1;
    parsed.chunks_mut().insert(
        at,
        img_parts::png::PngChunk::new(*b"tEXt", b"a\0b".to_vec().into()),
    );
    assert!(metadata_in(&parsed.encoder().bytes()).is_some());
    let mut gif = encoded(image::ImageFormat::Gif, 4, 4);
    let trailer = gif.pop().unwrap();
    gif.extend_from_slice(&[0x21, 0xFE, 2, b'h', b'i', 0, trailer]);
    assert!(metadata_in(&gif).is_some());
    assert_eq!(metadata_in(b"<html>"), None);
}

#[test]
fn webp_copies_keep_the_color_profile() {
    let jpeg = encoded(image::ImageFormat::Jpeg, 40, 30);
    let mut with = jpeg[..2].to_vec();
    let profile = b"ICC_PROFILE\0\x01\x01a display profile";
    with.extend_from_slice(&[0xFF, 0xE2, 0, u8::try_from(profile.len() + 2).unwrap()]);
    with.extend_from_slice(profile);
    with.extend_from_slice(&jpeg[2..]);
    let header = probe::probe(&with, "p.jpg", MP).unwrap();
    let decoded = process::decode(&with, &header).unwrap();
    let job = Job {
        crop: (0, 0, 40, 30),
        width: 20,
        height: 15,
        format: Format::Webp,
        quality: 75,
    };
    let copy = decoded.make(&job).unwrap();
    let parsed = img_parts::webp::WebP::from_bytes(copy.clone().into()).unwrap();
    let icc = img_parts::ImageICC::icc_profile(&parsed).unwrap();
    assert_eq!(&icc[..], b"a display profile");
    let back = image::load_from_memory(&copy).unwrap();
    assert_eq!((back.width(), back.height()), (20, 15));
    assert_eq!(super::strip::metadata_in(&copy), None);
}
