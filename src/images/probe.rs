//! What an image file is, read from its first bytes and its header only: format, size, EXIF orientation. Nothing
//! here decodes pixels, so an image that claims to be enormous (a decompression bomb) is refused before any memory
//! is spent on it.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{ImageDecoder, ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};

/// The raster formats the build reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JPEG: photos.
    Jpeg,
    /// PNG: screenshots, logos.
    Png,
    /// WebP.
    Webp,
    /// GIF (animations keep their frames where published as they are).
    Gif,
}

impl Format {
    /// The file extension written for this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
        }
    }

    pub(super) fn of_image(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Webp => ImageFormat::WebP,
            Format::Gif => ImageFormat::Gif,
        }
    }
}

/// What a file name says an image is: `Some` for the formats iopsite processes or must refuse.
pub(super) fn kind_by_name(file: &str) -> Option<Claimed> {
    let extension = file.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "jpg" | "jpeg" | "jpe" | "jfif" => Claimed::Raster(Format::Jpeg),
        "png" => Claimed::Raster(Format::Png),
        "webp" => Claimed::Raster(Format::Webp),
        "gif" => Claimed::Raster(Format::Gif),
        "heic" | "heif" => Claimed::Heic,
        "avif" => Claimed::Avif,
        _ => return None,
    })
}

/// What a file's name claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Claimed {
    /// A format iopsite reads.
    Raster(Format),
    /// An iPhone photo in HEIC, which browsers other than Safari cannot show.
    Heic,
    /// AVIF, which iopsite does not decode.
    Avif,
}

/// An image's header: enough to plan its copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The format its bytes are in.
    pub format: Format,
    /// Width as shown, after the EXIF orientation is applied.
    pub width: u32,
    /// Height as shown.
    pub height: u32,
    /// The EXIF orientation (1 to 8; 1 is upright).
    pub orientation: u8,
}

impl Header {
    /// The orientation as the `image` crate applies it.
    pub fn orientation(&self) -> Orientation {
        Orientation::from_exif(self.orientation).unwrap_or(Orientation::NoTransforms)
    }
}

/// Read the header of `bytes`, a file named `file`. `max_pixels` bounds its size. The error is a plain-language
/// sentence (the caller adds the file's path).
pub(super) fn probe(bytes: &[u8], file: &str, max_pixels: u64) -> Result<Header, String> {
    let claimed = kind_by_name(file);
    if is_heic(bytes) || claimed == Some(Claimed::Heic) {
        return Err(HEIC_ADVICE.into());
    }
    if is_avif(bytes) || claimed == Some(Claimed::Avif) {
        return Err(
            "this is an AVIF image, which iopsite cannot read yet: save it as JPEG (photos) or PNG (drawings, screenshots) instead"
                .into(),
        );
    }
    let actual = sniff(bytes).ok_or_else(|| {
        if bytes.is_empty() {
            "the file is empty: copy the image again".to_string()
        } else {
            "this file is not a JPEG, PNG, WebP or GIF image, or it is damaged: open it in an image viewer and save it again as JPEG".to_string()
        }
    })?;
    if let Some(Claimed::Raster(named)) = claimed
        && named != actual
    {
        return Err(format!(
            "the file name says {} but the file is really a {} image: rename it to end in .{}",
            named.name(),
            actual.name(),
            actual.extension()
        ));
    }
    let damaged = |err: image::ImageError| {
        format!(
            "this {} image is damaged or incomplete ({err}): open it in an image viewer and save it again",
            actual.name()
        )
    };
    // The size from the first bytes alone: some decoders read far into the file before they tell it.
    if let Ok(size) = imagesize::blob_size(bytes) {
        let (width, height) = (
            u32::try_from(size.width).unwrap_or(u32::MAX),
            u32::try_from(size.height).unwrap_or(u32::MAX),
        );
        if u64::from(width) * u64::from(height) > max_pixels {
            return Err(too_large(Some((width, height)), max_pixels));
        }
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), actual.of_image());
    // Only the header is read here; the limits guard the decoders that read more to find it.
    let mut limits = Limits::default();
    limits.max_alloc = Some(64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = match reader.into_decoder() {
        Ok(decoder) => decoder,
        Err(image::ImageError::Limits(_)) => return Err(too_large(None, max_pixels)),
        Err(err) => return Err(damaged(err)),
    };
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(damaged(image::ImageError::IoError(std::io::Error::other(
            "it has no pixels",
        ))));
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(too_large(Some((width, height)), max_pixels));
    }
    let orientation = decoder
        .orientation()
        .map_or(Orientation::NoTransforms, |o| o);
    let turned = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let (width, height) = if turned {
        (height, width)
    } else {
        (width, height)
    };
    Ok(Header {
        format: actual,
        width,
        height,
        orientation: exif_value(orientation),
    })
}

const HEIC_ADVICE: &str = "this is an iPhone photo in HEIC format, which most browsers cannot show. Save it as \
    JPEG: on the iPhone, share the photo to Files or Mail and choose \"Most Compatible\" (or set Settings → Camera → \
    Formats → Most Compatible for new photos); on a Mac, open it in Preview and choose File → Export → JPEG";

fn too_large(size: Option<(u32, u32)>, max_pixels: u64) -> String {
    let limit = max_pixels / 1_000_000;
    match size {
        Some((w, h)) => format!(
            "this image is {w} × {h} pixels ({} megapixels), more than the {limit} megapixels iopsite reads: \
             make it smaller (a photo for a web page needs at most about 4000 pixels across), or raise \
             [images] max_megapixels in config.toml",
            u64::from(w) * u64::from(h) / 1_000_000
        ),
        None => format!(
            "this image is larger than the {limit} megapixels iopsite reads: make it smaller (a photo for a web \
             page needs at most about 4000 pixels across)"
        ),
    }
}

/// The format the bytes are really in, from their signature.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(Format::Gif)
    } else {
        None
    }
}

/// The ISO base media brand of the file (`ftyp` box), if it has one.
fn brand(bytes: &[u8]) -> Option<&[u8]> {
    (bytes.len() >= 12 && &bytes[4..8] == b"ftyp").then(|| &bytes[8..12])
}

fn is_heic(bytes: &[u8]) -> bool {
    brand(bytes).is_some_and(|brand| {
        [
            b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
        ]
        .iter()
        .any(|known| brand == *known)
    })
}

fn is_avif(bytes: &[u8]) -> bool {
    brand(bytes).is_some_and(|brand| brand == b"avif" || brand == b"avis")
}

fn exif_value(orientation: Orientation) -> u8 {
    (1..=8)
        .find(|&value| Orientation::from_exif(value) == Some(orientation))
        .unwrap_or(1)
}
