//! The pixel work: decode an image once (upright, 8 bits per channel), make each copy asked of it (resized, maybe
//! cropped) and encode it. Decoding is bounded by a memory budget shared by every thread, so a many-core machine
//! does not hold dozens of 12-megapixel photos at once.

use std::io::Cursor;
use std::sync::{Condvar, Mutex, PoisonError};

use fast_image_resize::images::Image as Pixels;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageReader, Limits};

use super::probe::{Format, Header};

/// A decoded image, upright, in 8-bit RGB or RGBA.
pub(super) struct Decoded {
    pixels: Vec<u8>,
    width: u32,
    height: u32,
    alpha: bool,
    /// The color profile (a phone's photos are often Display P3): WebP copies carry it, so colors stay as shot.
    icc: Option<Vec<u8>>,
}

/// What to make of a decoded image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Job {
    /// The part of the image to use: left, top, width, height (the whole image unless cropping).
    pub crop: (u32, u32, u32, u32),
    /// Size of the result.
    pub width: u32,
    /// Height of the result.
    pub height: u32,
    /// Encoded as.
    pub format: Format,
    /// Lossy quality, 1 to 100.
    pub quality: u8,
}

/// Decode `bytes` (whose header was read already) with the orientation applied.
pub(super) fn decode(bytes: &[u8], header: &Header) -> Result<Decoded, String> {
    let damaged = |err: image::ImageError| {
        format!(
            "the image is damaged or incomplete ({err}): open it in an image viewer and save it again"
        )
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), header.format.of_image());
    let mut limits = Limits::default();
    let pixels = u64::from(header.width) * u64::from(header.height);
    // Room for the pixels at 16 bits per channel with alpha, and the decoder's own buffers.
    limits.max_alloc = Some(pixels * 8 + 64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let orientation = decoder.orientation().map_err(damaged)?;
    let icc = decoder
        .icc_profile()
        .ok()
        .flatten()
        .filter(|icc| !icc.is_empty());
    let mut image = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    let alpha = image.color().has_alpha();
    let pixels = if alpha {
        image.into_rgba8().into_raw()
    } else {
        image.into_rgb8().into_raw()
    };
    Ok(Decoded {
        pixels,
        width,
        height,
        alpha,
        icc,
    })
}

impl Decoded {
    /// Make one copy: resize (Lanczos 3, alpha handled premultiplied) and encode.
    pub(super) fn make(&self, job: &Job) -> Result<Vec<u8>, String> {
        let pixel_type = if self.alpha {
            PixelType::U8x4
        } else {
            PixelType::U8x3
        };
        let source = fast_image_resize::images::ImageRef::new(
            self.width,
            self.height,
            &self.pixels,
            pixel_type,
        )
        .map_err(|err| format!("cannot resize the image: {err}"))?;
        let (left, top, width, height) = job.crop;
        let whole = (left, top, width, height) == (0, 0, self.width, self.height);
        let resized;
        let pixels: &[u8] = if whole && (job.width, job.height) == (self.width, self.height) {
            &self.pixels
        } else {
            let mut target = Pixels::new(job.width, job.height, pixel_type);
            let options = ResizeOptions::new()
                .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
                .crop(
                    f64::from(left),
                    f64::from(top),
                    f64::from(width),
                    f64::from(height),
                );
            Resizer::new()
                .resize(&source, &mut target, &options)
                .map_err(|err| format!("cannot resize the image: {err}"))?;
            resized = target.into_vec();
            &resized
        };
        let encoded = encode(pixels, job, self.alpha)?;
        Ok(match (&self.icc, job.format) {
            (Some(icc), Format::Webp) => with_color_profile(encoded, icc),
            _ => encoded,
        })
    }
}

fn encode(pixels: &[u8], job: &Job, alpha: bool) -> Result<Vec<u8>, String> {
    let failed = |err: image::ImageError| format!("cannot encode the image: {err}");
    let color = if alpha {
        ExtendedColorType::Rgba8
    } else {
        ExtendedColorType::Rgb8
    };
    let mut out = Vec::new();
    match job.format {
        Format::Webp => return webp(pixels, job.width, job.height, alpha, job.quality),
        Format::Jpeg => {
            let flat;
            let (pixels, color) = if alpha {
                flat = over_white(pixels);
                (flat.as_slice(), ExtendedColorType::Rgb8)
            } else {
                (pixels, color)
            };
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, job.quality)
                .write_image(pixels, job.width, job.height, color)
                .map_err(failed)?;
        }
        Format::Png | Format::Gif => {
            // A still of a GIF is written as PNG: same pixels, smaller file.
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(pixels, job.width, job.height, color)
                .map_err(failed)?;
        }
    }
    Ok(out)
}

/// A WebP file with an ICC color profile added (its header's flags updated to say so).
fn with_color_profile(webp: Vec<u8>, icc: &[u8]) -> Vec<u8> {
    use img_parts::ImageICC as _;
    let Ok(mut parsed) = img_parts::webp::WebP::from_bytes(webp.clone().into()) else {
        return webp;
    };
    parsed.set_icc_profile(Some(img_parts::Bytes::copy_from_slice(icc)));
    parsed.encoder().bytes().to_vec()
}

/// RGBA composited over white, as RGB (JPEG has no transparency).
fn over_white(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            let blend =
                |c: u8| u8::try_from((u16::from(c) * a + 255 * (255 - a)) / 255).unwrap_or(u8::MAX);
            [blend(p[0]), blend(p[1]), blend(p[2])]
        })
        .collect()
}

/// Lossy WebP through libwebp's simple encoding API (its default method, 4).
fn webp(
    pixels: &[u8],
    width: u32,
    height: u32,
    alpha: bool,
    quality: u8,
) -> Result<Vec<u8>, String> {
    let channels: u32 = if alpha { 4 } else { 3 };
    let too_large = || "the image is too large for WebP (at most 16383 pixels a side)".to_string();
    let w = i32::try_from(width).map_err(|_| too_large())?;
    let h = i32::try_from(height).map_err(|_| too_large())?;
    let stride = i32::try_from(width * channels).map_err(|_| too_large())?;
    assert_eq!(
        pixels.len(),
        (width * height * channels) as usize,
        "buffer size"
    );
    let mut output: *mut u8 = std::ptr::null_mut();
    // SAFETY: `pixels` holds `height` rows of `stride` bytes (asserted above) and outlives the call; libwebp writes
    // a buffer it allocated to `output` and returns its length (0 on failure, with nothing to free).
    let size = unsafe {
        let encode = if alpha {
            libwebp_sys::WebPEncodeRGBA
        } else {
            libwebp_sys::WebPEncodeRGB
        };
        encode(
            pixels.as_ptr(),
            w,
            h,
            stride,
            f32::from(quality),
            &raw mut output,
        )
    };
    if size == 0 || output.is_null() {
        return Err(if width > 16383 || height > 16383 {
            too_large()
        } else {
            "WebP encoding failed".to_string()
        });
    }
    // SAFETY: libwebp returned `size` initialized bytes at `output`; they are copied, then freed with its own free.
    let bytes = unsafe {
        let bytes = std::slice::from_raw_parts(output, size).to_vec();
        libwebp_sys::WebPFree(output.cast());
        bytes
    };
    Ok(bytes)
}

/// Memory for decoded pixels, shared by the threads that decode: one takes what its image needs before decoding
/// and gives it back when done, waiting while others hold too much. An image bigger than the whole budget waits
/// until it can have it all.
pub(super) struct Budget {
    free: Mutex<u64>,
    freed: Condvar,
    total: u64,
}

impl Budget {
    /// A budget of `total` bytes.
    pub(super) fn new(total: u64) -> Budget {
        Budget {
            free: Mutex::new(total),
            freed: Condvar::new(),
            total,
        }
    }

    /// Wait for `bytes` (at most the whole budget) and hold them until the guard is dropped.
    pub(super) fn take(&self, bytes: u64) -> Held<'_> {
        let bytes = bytes.min(self.total);
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free < bytes {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= bytes;
        Held {
            budget: self,
            bytes,
        }
    }
}

/// Budget held until dropped.
pub(super) struct Held<'a> {
    budget: &'a Budget,
    bytes: u64,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        *self
            .budget
            .free
            .lock()
            .unwrap_or_else(PoisonError::into_inner) += self.bytes;
        self.budget.freed.notify_all();
    }
}

/// What decoding and copying an image of `width` × `height` holds at most: its pixels as decoded (up to 16 bits
/// per channel with alpha), and the largest copy.
pub(super) fn memory_for(width: u32, height: u32) -> u64 {
    u64::from(width) * u64::from(height) * 12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_shows_through_transparency() {
        assert_eq!(
            over_white(&[0, 0, 0, 0, 10, 20, 30, 255]),
            [255, 255, 255, 10, 20, 30]
        );
    }

    #[test]
    fn webp_encoding_gives_a_webp_file() {
        let pixels: Vec<u8> = (0..64u32 * 48 * 3)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect();
        let bytes = webp(&pixels, 64, 48, false, 75).unwrap();
        assert_eq!(super::super::probe::sniff(&bytes), Some(Format::Webp));
        let back = image::load_from_memory(&bytes).unwrap();
        assert_eq!((back.width(), back.height()), (64, 48));
    }

    #[test]
    fn the_budget_gives_back_what_was_taken() {
        let budget = std::sync::Arc::new(Budget::new(100));
        let first = budget.take(60);
        assert_eq!(*budget.free.lock().unwrap(), 40);
        let other = std::sync::Arc::clone(&budget);
        // More than the whole budget: waits until the first is given back, then has it all.
        let waiting = std::thread::spawn(move || {
            let _all = other.take(500);
            *other.free.lock().unwrap()
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!waiting.is_finished());
        drop(first);
        assert_eq!(waiting.join().unwrap(), 0);
        assert_eq!(*budget.free.lock().unwrap(), 100);
    }
}
