//! Metadata out of an image, pixels untouched: what a phone writes beside a photo (EXIF with the GPS position and
//! the camera, XMP, IPTC, comments, embedded previews) must never be published. Each format keeps an allow-list of
//! the parts a browser needs to show the image (and its color profile); everything else goes, including data after
//! the image's end, where phones append more pictures with their own metadata.

use std::io::Cursor;

use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{Bytes, ImageEXIF};

use super::probe::Format;

/// `bytes` without their metadata. The error is a plain-language sentence.
pub(super) fn strip(bytes: &[u8], format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Jpeg => jpeg(bytes),
        Format::Png => png(bytes),
        Format::Webp => webp(bytes),
        Format::Gif => gif(bytes),
    }
}

const DAMAGED: &str =
    "the image is damaged or incomplete: open it in an image viewer and save it again";

/// JPEG: the markers up to the image's end (EOI), keeping tables, frame and scan headers, JFIF, the ICC profile
/// and Adobe's color transform; nothing after the end.
fn jpeg(bytes: &[u8]) -> Result<Vec<u8>, String> {
    const SOI: u8 = 0xD8;
    const EOI: u8 = 0xD9;
    const SOS: u8 = 0xDA;
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != SOI {
        return Err(DAMAGED.into());
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, SOI]);
    let mut at = 2;
    loop {
        // Fill bytes (0xFF) may come before a marker.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Err(DAMAGED.into());
        };
        if marker == EOI {
            out.extend_from_slice(&[0xFF, EOI]);
            return Ok(out);
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            // Restart markers and TEM have no length.
            out.extend_from_slice(&[0xFF, marker]);
            at += 2;
            continue;
        }
        let length = bytes
            .get(at + 2..at + 4)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            .filter(|&length| length >= 2)
            .ok_or(DAMAGED)?;
        let end = at + 2 + length;
        let segment = bytes.get(at..end).ok_or(DAMAGED)?;
        if keeps_jpeg_segment(marker, &segment[4..]) {
            out.extend_from_slice(segment);
        }
        at = end;
        if marker == SOS {
            // Entropy-coded data: 0xFF is always followed by 0x00 (a stuffed byte), a restart marker, or the next
            // marker, which ends the scan.
            let scan_end = scan_end(bytes, at).ok_or(DAMAGED)?;
            out.extend_from_slice(&bytes[at..scan_end]);
            at = scan_end;
        }
    }
}

/// Where the entropy-coded data starting at `from` ends: the first marker that is not a stuffed byte or a restart.
fn scan_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at += memchr::memchr(0xFF, bytes.get(at..)?)?;
        match *bytes.get(at + 1)? {
            0x00 | 0xD0..=0xD7 => at += 2,
            // Fill bytes before a marker.
            0xFF => at += 1,
            _ => return Some(at),
        }
    }
}

fn keeps_jpeg_segment(marker: u8, data: &[u8]) -> bool {
    match marker {
        // APP0: JFIF or JFXX, which holds only the pixel density (and maybe a thumbnail: dropped).
        0xE0 => data.starts_with(b"JFIF\0"),
        // APP2 holds the ICC color profile, but also FlashPix and MPF (the index of appended pictures).
        0xE2 => data.starts_with(b"ICC_PROFILE\0"),
        // APP14: Adobe's color transform, needed to read the colors right.
        0xEE => data.starts_with(b"Adobe"),
        // Every other APPn (EXIF, XMP, IPTC, maker notes) and comments.
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
        // Tables, frame and scan headers, restart interval: the image itself.
        _ => true,
    }
}

/// PNG: the chunks that draw the image and its colors; text, EXIF and time chunks go.
fn png(bytes: &[u8]) -> Result<Vec<u8>, String> {
    const KEPT: [&[u8; 4]; 18] = [
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
        b"pHYs", b"bKGD", b"acTL", b"fcTL", b"fdAT", b"cICP", b"mDCV", b"cLLI",
    ];
    let mut png = Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| DAMAGED)?;
    png.chunks_mut()
        .retain(|chunk| KEPT.iter().any(|kept| **kept == chunk.kind()));
    let mut out = Vec::with_capacity(bytes.len());
    png.encoder().write_to(&mut out).map_err(|_| DAMAGED)?;
    Ok(out)
}

/// WebP: the image data, alpha, animation and color profile chunks; EXIF, XMP and unknown chunks go (and the
/// header's flags are made to match).
fn webp(bytes: &[u8]) -> Result<Vec<u8>, String> {
    const KEPT: [&[u8; 4]; 7] = [
        b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
    ];
    let mut webp = WebP::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| DAMAGED)?;
    webp.chunks_mut()
        .retain(|chunk| KEPT.iter().any(|kept| **kept == chunk.id()));
    // Rewrites the VP8X flags from the chunks left.
    webp.set_exif(None);
    let mut out = Vec::with_capacity(bytes.len());
    webp.encoder().write_to(&mut out).map_err(|_| DAMAGED)?;
    Ok(out)
}

/// GIF: every frame written again, with its timing and the loop count; comments and application data (XMP) are
/// not carried over.
fn gif(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    options.set_memory_limit(gif::MemoryLimit::Bytes(
        std::num::NonZeroU64::new(256 * 1024 * 1024).expect("not zero"),
    ));
    let mut decoder = options.read_info(Cursor::new(bytes)).map_err(|_| DAMAGED)?;
    let palette = decoder.global_palette().unwrap_or(&[]).to_vec();
    let (width, height) = (decoder.width(), decoder.height());
    let mut out = Vec::with_capacity(bytes.len());
    {
        let mut encoder =
            gif::Encoder::new(&mut out, width, height, &palette).map_err(|_| DAMAGED)?;
        let first = decoder
            .read_next_frame()
            .map_err(|_| DAMAGED)?
            .ok_or(DAMAGED)?
            .clone();
        // The loop count is known once the first frame is read (its extension comes before the frame). A GIF
        // without one plays once, which the decoder reports as `Finite(0)`; written out, 0 would mean "forever".
        let repeat = decoder.repeat();
        if repeat != gif::Repeat::Finite(0) {
            encoder.set_repeat(repeat).map_err(|_| DAMAGED)?;
        }
        encoder.write_frame(&first).map_err(|_| DAMAGED)?;
        while let Some(frame) = decoder.read_next_frame().map_err(|_| DAMAGED)? {
            encoder.write_frame(frame).map_err(|_| DAMAGED)?;
        }
    }
    Ok(out)
}

/// What metadata `bytes` still hold, if any (`None` for a clean image, or one iopsite does not read). Used by
/// `iopsite check` on the built files, so a published image with metadata is found whatever put it there.
pub fn metadata_in(bytes: &[u8]) -> Option<&'static str> {
    match super::probe::sniff(bytes)? {
        // The remover keeps every other byte as it is: whatever it takes out is metadata.
        Format::Jpeg => {
            (jpeg(bytes).ok()?.len() < bytes.len()).then_some("EXIF, XMP, IPTC or comments")
        }
        Format::Png => {
            let png = Png::from_bytes(Bytes::copy_from_slice(bytes)).ok()?;
            png.chunks()
                .iter()
                .any(|chunk| {
                    matches!(
                        &chunk.kind(),
                        b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME"
                    )
                })
                .then_some("text or EXIF chunks")
        }
        Format::Webp => {
            let webp = WebP::from_bytes(Bytes::copy_from_slice(bytes)).ok()?;
            webp.chunks()
                .iter()
                .any(|chunk| matches!(&chunk.id(), b"EXIF" | b"XMP "))
                .then_some("EXIF or XMP")
        }
        Format::Gif => gif_has_comments(bytes).then_some("comments or application data (XMP)"),
    }
}

/// Whether a GIF has a comment extension, or application data other than the loop count.
fn gif_has_comments(bytes: &[u8]) -> bool {
    let skip_blocks = |mut at: usize| -> Option<usize> {
        loop {
            let size = usize::from(*bytes.get(at)?);
            at += 1 + size;
            if size == 0 {
                return Some(at);
            }
        }
    };
    let color_table = |flags: u8| {
        if flags & 0x80 != 0 {
            3 << ((flags & 7) + 1)
        } else {
            0
        }
    };
    let Some(&flags) = bytes.get(10) else {
        return false;
    };
    let mut at = 13 + color_table(flags);
    loop {
        match bytes.get(at) {
            Some(0x21) => {
                let label = bytes.get(at + 1).copied();
                if label == Some(0xFE) {
                    return true;
                }
                if label == Some(0xFF) {
                    let name = bytes.get(at + 3..at + 14);
                    if !matches!(name, Some(b"NETSCAPE2.0" | b"ANIMEXTS1.0")) {
                        return true;
                    }
                }
                let Some(next) = skip_blocks(at + 2) else {
                    return false;
                };
                at = next;
            }
            Some(0x2C) => {
                let Some(&flags) = bytes.get(at + 9) else {
                    return false;
                };
                let Some(next) = skip_blocks(at + 10 + color_table(flags) + 1) else {
                    return false;
                };
                at = next;
            }
            _ => return false,
        }
    }
}
