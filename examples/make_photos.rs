//! Photos for the image benchmark (`scripts/bench-images.sh`): `COUNT` JPEGs of `WIDTH` × `HEIGHT` pixels that
//! compress like phone photos, not like flat colour. Each is a small scene: a sky with clouds over a horizon, ground
//! whose texture gets finer towards the horizon, buildings with rows of windows and round trees (hard edges), a
//! lens vignette, and per-pixel sensor noise (luminance and colour). Every texture is fractal value noise with
//! eight to nine octaves at half the amplitude each (about the 1/f spectrum of real photographs), so detail is
//! there at every scale down to two pixels. Everything comes from the seed: the same arguments give the same bytes.
//!
//! ```text
//! cargo build --release --example make_photos
//! target/release/examples/make_photos OUT_DIR [COUNT=50] [SEED=12] [WIDTH=4000] [HEIGHT=3000] [QUALITY=90]
//! ```
//!
//! Writes `OUT_DIR/photo-01.jpg` … and prints one line per photo (name, bytes).

use std::path::Path;
use std::process::ExitCode;

use image::ImageEncoder as _;
use image::codecs::jpeg::JpegEncoder;
use rayon::prelude::*;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!(
            "usage: make_photos OUT_DIR [COUNT=50] [SEED=12] [WIDTH=4000] [HEIGHT=3000] [QUALITY=90]"
        );
        return ExitCode::FAILURE;
    };
    let number = |index: usize, default: u64| -> u64 {
        args.get(index).map_or(default, |value| {
            value.parse().unwrap_or_else(|_| {
                eprintln!("not a number: {value}");
                std::process::exit(2)
            })
        })
    };
    let count = number(1, 50);
    let seed = number(2, 12);
    let width = u32::try_from(number(3, 4000)).expect("width");
    let height = u32::try_from(number(4, 3000)).expect("height");
    let quality = u8::try_from(number(5, 90)).expect("quality");
    let out = Path::new(out);
    if let Err(err) = std::fs::create_dir_all(out) {
        eprintln!("cannot make {}: {err}", out.display());
        return ExitCode::FAILURE;
    }
    let result = (1..=count).into_par_iter().try_for_each(|index| {
        let pixels = scene(
            seed.wrapping_mul(1_000_003).wrapping_add(index),
            width,
            height,
        );
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, quality)
            .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
            .map_err(|err| err.to_string())?;
        let name = format!("photo-{index:02}.jpg");
        std::fs::write(out.join(&name), &bytes).map_err(|err| err.to_string())?;
        println!("{name} {}", bytes.len());
        Ok::<(), String>(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("make_photos: {err}");
            ExitCode::FAILURE
        }
    }
}

/// A 64-bit mix (splitmix64's finalizer).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A number in [0, 1) from a hash.
#[allow(clippy::cast_precision_loss)]
fn unit(hash: u64) -> f32 {
    (hash >> 40) as f32 / (1u64 << 24) as f32
}

/// Random numbers for laying out a scene.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        unit(mix(self.0))
    }

    fn range(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * self.next()
    }
}

/// Value noise: random values on a lattice of `cell` pixels, smoothly interpolated; in [0, 1).
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn value_noise(seed: u64, x: f32, y: f32, cell: f32) -> f32 {
    let (fx, fy) = (x / cell, y / cell);
    let (ix, iy) = (fx.floor(), fy.floor());
    let (tx, ty) = (fx - ix, fy - iy);
    let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
    let (ix, iy) = (ix as i64 as u64, iy as i64 as u64);
    let at = |dx: u64, dy: u64| {
        unit(mix(seed
            ^ (ix.wrapping_add(dx)).wrapping_mul(0x6a09_e667_f3bc_c909)
            ^ (iy.wrapping_add(dy)).wrapping_mul(0xbb67_ae85_84ca_a73b)))
    };
    let top = at(0, 0) + (at(1, 0) - at(0, 0)) * sx;
    let bottom = at(0, 1) + (at(1, 1) - at(0, 1)) * sx;
    top + (bottom - top) * sy
}

/// Fractal noise: octaves from `cell` down to 2 pixels, each at `gain` times the amplitude of the one before;
/// in about [0, 1).
fn fractal(seed: u64, x: f32, y: f32, mut cell: f32, gain: f32) -> f32 {
    let (mut sum, mut amplitude, mut total, mut octave) = (0.0, 1.0, 0.0, 0u64);
    while cell >= 2.0 {
        sum += amplitude * value_noise(mix(seed + octave), x, y, cell);
        total += amplitude;
        amplitude *= gain;
        cell *= 0.5;
        octave += 1;
    }
    sum / total
}

enum Shape {
    /// A building: left, right, top (to the bottom of the picture), colour, window rows and columns.
    Building {
        left: f32,
        right: f32,
        top: f32,
        colour: [f32; 3],
        windows: (f32, f32),
    },
    /// A tree's crown: centre, radius, colour.
    Tree {
        x: f32,
        y: f32,
        radius: f32,
        colour: [f32; 3],
    },
}

/// One photo's pixels, RGB.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    clippy::many_single_char_names
)]
fn scene(seed: u64, width: u32, height: u32) -> Vec<u8> {
    let mut dice = Dice(seed);
    let (w, h) = (width as f32, height as f32);
    let horizon = h * dice.range(0.3, 0.6);
    let sky_top = [
        dice.range(40.0, 90.0),
        dice.range(80.0, 130.0),
        dice.range(150.0, 220.0),
    ];
    let sky_low = [
        dice.range(170.0, 230.0),
        dice.range(180.0, 230.0),
        dice.range(200.0, 245.0),
    ];
    let ground = [
        dice.range(60.0, 130.0),
        dice.range(70.0, 140.0),
        dice.range(30.0, 90.0),
    ];
    let sun = dice.range(0.6, 1.4);
    let mut shapes = Vec::new();
    for _ in 0..(3 + (dice.next() * 6.0) as usize) {
        let left = dice.range(-0.1, 0.9) * w;
        let grey = dice.range(90.0, 220.0);
        shapes.push(Shape::Building {
            left,
            right: left + dice.range(0.08, 0.3) * w,
            top: horizon - dice.range(0.05, 0.35) * h,
            colour: [
                grey * dice.range(0.85, 1.15),
                grey * dice.range(0.85, 1.1),
                grey * dice.range(0.8, 1.05),
            ],
            windows: (dice.range(25.0, 60.0), dice.range(25.0, 70.0)),
        });
    }
    for _ in 0..(2 + (dice.next() * 8.0) as usize) {
        shapes.push(Shape::Tree {
            x: dice.range(0.0, 1.0) * w,
            y: horizon + dice.range(-0.15, 0.2) * h,
            radius: dice.range(0.04, 0.14) * h,
            colour: [
                dice.range(20.0, 70.0),
                dice.range(60.0, 120.0),
                dice.range(20.0, 60.0),
            ],
        });
    }
    let (clouds, texture, detail, grain) =
        (mix(seed + 1), mix(seed + 2), mix(seed + 3), mix(seed + 4));
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    for (row, line) in pixels.chunks_exact_mut(width as usize * 3).enumerate() {
        let y = row as f32;
        for (column, pixel) in line.chunks_exact_mut(3).enumerate() {
            let x = column as f32;
            let mut colour = if y < horizon {
                let t = y / horizon;
                let cloud = (fractal(clouds, x, y * 2.0, 700.0, 0.55) - 0.45).max(0.0) * 2.2;
                let mut c = [0.0; 3];
                for i in 0..3 {
                    let sky = sky_top[i] + (sky_low[i] - sky_top[i]) * t;
                    c[i] = sky + (245.0 - sky) * cloud.min(1.0);
                }
                c
            } else {
                // Perspective: the texture's scale shrinks towards the horizon.
                let depth = ((y - horizon) / (h - horizon)).max(0.02);
                let scale = 40.0 + 500.0 * depth;
                let n = fractal(texture, x / depth.sqrt(), y, scale, 0.6);
                // Gravel and grass: fine, contrasty texture, smaller towards the horizon.
                let fine = fractal(texture ^ 5, x, y, 6.0 + 40.0 * depth, 0.8);
                let shade = 0.5 + 0.9 * n + 0.6 * (fine - 0.5);
                [
                    ground[0] * shade,
                    ground[1] * shade,
                    ground[2] * shade * 0.95,
                ]
            };
            for shape in &shapes {
                match *shape {
                    Shape::Building {
                        left,
                        right,
                        top,
                        colour: c,
                        windows: (rows, columns),
                    } if x >= left && x < right && y >= top && y < horizon + 0.02 * h => {
                        let n = fractal(detail, x, y, 64.0, 0.65);
                        let (wx, wy) = ((x - left) % columns, (y - top) % rows);
                        let window = wx > columns * 0.3
                            && wy > rows * 0.3
                            && wx < columns * 0.8
                            && wy < rows * 0.85;
                        let light = if window {
                            0.25 + 0.3 * n
                        } else {
                            0.6 + 0.8 * n
                        };
                        colour = [c[0] * light, c[1] * light, c[2] * light];
                    }
                    Shape::Tree {
                        x: cx,
                        y: cy,
                        radius,
                        colour: c,
                    } => {
                        let (dx, dy) = (x - cx, y - cy);
                        let edge = radius * (0.8 + 0.35 * fractal(detail ^ 7, x, y, 48.0, 0.6));
                        if dx * dx + dy * dy < edge * edge {
                            let n = fractal(detail ^ 9, x, y, 32.0, 0.65);
                            let light = 0.5 + 1.1 * n;
                            colour = [c[0] * light, c[1] * light, c[2] * light];
                        }
                    }
                    Shape::Building { .. } => {}
                }
            }
            // Light falling off towards the corners, as through a lens.
            let (u, v) = (x / w - 0.5, y / h - 0.5);
            let vignette = sun * (1.0 - 0.7 * (u * u + v * v));
            // Sensor noise: about 3.5 levels in luminance, 1.5 in each channel, a triangular distribution.
            let hash = mix(grain ^ ((row as u64) << 32 | column as u64));
            let luma = (unit(hash) + unit(hash << 24) - 1.0) * 6.0;
            for (i, value) in colour.iter().enumerate() {
                let chroma = (unit(mix(hash + i as u64)) - 0.5) * 5.0;
                pixel[i] = (value * vignette + luma + chroma).clamp(0.0, 255.0) as u8;
            }
        }
    }
    pixels
}
