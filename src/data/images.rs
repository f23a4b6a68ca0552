//! Images: single files for prediction, folders `DIR/<class>/*.{png,jpg,jpeg}` for training
//! and plain folders of pictures to predict on, decoded with the `image` crate and flattened
//! as the course flattens its HDF5 images: (row, column, channel), one image per column of
//! X, values 0–255. Grey pictures stay one channel.

use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::{ColorType, DynamicImage};
use ndarray::Array2;

use super::{Dataset, ImageShape};
use crate::error::one_line;
use crate::{Error, Result};

/// What to do with an image whose size differs from the one wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resize {
    /// Resize it (bilinear), as the course's "predict on your own image" does.
    Yes,
    /// Refuse it with an error.
    No,
}

/// Decodes an image and returns its pixels flattened in (row, column, channel) order, as
/// 0–255 values, with `shape`'s size and channels (1 = grey, 3 = RGB, 4 = RGBA) when given,
/// else the image's own size, one channel if it is grey and RGB otherwise.
pub fn read_image(path: impl AsRef<Path>, shape: Option<ImageShape>, resize: Resize) -> Result<(Vec<f64>, ImageShape)> {
    let path = path.as_ref();
    let decoded = decode(path)?;
    let target = shape.unwrap_or_else(|| own_shape(&decoded, is_grey(&decoded)));
    Ok((pixels(path, decoded, target, resize)?, target))
}

/// The decoded image of a PNG or JPEG file.
fn decode(path: &Path) -> Result<DynamicImage> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), error: source })?;
    // The decoders are meant to return errors on broken files; should one panic instead,
    // the file is refused like any other broken image.
    let decoded = std::panic::catch_unwind(|| image::load_from_memory(&bytes))
        .unwrap_or_else(|_| Err(image::ImageError::IoError(std::io::Error::other("the decoder failed"))));
    decoded.map_err(|e| Error::DataFile {
        path: path.to_path_buf(),
        reason: one_line(&format!("not a readable PNG or JPEG image ({e})")),
    })
}

/// Whether an image has no colour: grey, with or without transparency.
fn is_grey(image: &DynamicImage) -> bool {
    matches!(image.color(), ColorType::L8 | ColorType::La8 | ColorType::L16 | ColorType::La16)
}

/// The image's own size, with one channel or three.
fn own_shape(image: &DynamicImage, grey: bool) -> ImageShape {
    ImageShape { height: image.height() as usize, width: image.width() as usize, channels: if grey { 1 } else { 3 } }
}

/// The pixels of `decoded` at `target`'s size and channels, resized when allowed.
fn pixels(path: &Path, decoded: DynamicImage, target: ImageShape, resize: Resize) -> Result<Vec<f64>> {
    let fail = |reason: String| Error::DataFile { path: path.to_path_buf(), reason };
    let (width, height) = (decoded.width() as usize, decoded.height() as usize);
    let decoded = if (height, width) == (target.height, target.width) {
        decoded
    } else if resize == Resize::Yes {
        let (Ok(w), Ok(h)) = (u32::try_from(target.width), u32::try_from(target.height)) else {
            return Err(fail(format!("cannot resize to {}×{} pixels", target.width, target.height)));
        };
        decoded.resize_exact(w, h, FilterType::Triangle)
    } else {
        return Err(fail(format!(
            "the image is {width}×{height} pixels, expected {}×{} (resizing is off)",
            target.width, target.height
        )));
    };
    let pixels: Vec<u8> = match target.channels {
        1 => decoded.into_luma8().into_raw(),
        3 => decoded.into_rgb8().into_raw(),
        4 => decoded.into_rgba8().into_raw(),
        other => return Err(fail(format!("images with {other} channels are not supported (1, 3 or 4)"))),
    };
    Ok(pixels.into_iter().map(f64::from).collect())
}

/// Whether a path names a PNG or JPEG file by its extension.
pub fn is_image_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["png", "jpg", "jpeg"].contains(&e.to_ascii_lowercase().as_str()))
}

/// The PNG and JPEG files of a folder, sorted by name.
fn image_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut images: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| Error::Io { path: dir.to_path_buf(), error: source })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_image_file(p))
        .collect();
    images.sort();
    Ok(images)
}

/// The decoded images as the columns of X (n_x × m) at `shape`, or, without one, at the
/// first image's size with one channel when every image is grey and three otherwise.
fn to_matrix(
    decoded: Vec<(PathBuf, DynamicImage)>,
    shape: Option<ImageShape>,
    resize: Resize,
) -> Result<(Array2<f64>, ImageShape)> {
    let shape = match (shape, decoded.first()) {
        (Some(shape), _) => shape,
        (None, Some((_, first))) => own_shape(first, decoded.iter().all(|(_, image)| is_grey(image))),
        (None, None) => ImageShape { height: 0, width: 0, channels: 3 },
    };
    let n_x = shape.height * shape.width * shape.channels;
    let mut x = Array2::zeros((n_x, decoded.len()));
    for (j, (path, image)) in decoded.into_iter().enumerate() {
        x.column_mut(j).assign(&ndarray::Array1::from(pixels(&path, image, shape, resize)?));
    }
    Ok((x, shape))
}

/// Reads a folder with one subfolder of images per class (two or more; in sorted order of
/// their names, classes 0, 1, …). Every image is brought to `shape` by resizing; without a shape, to the
/// first image's size, with one channel when every image is grey and RGB otherwise.
pub fn read_image_folder(dir: impl AsRef<Path>, shape: Option<ImageShape>) -> Result<Dataset> {
    let dir = dir.as_ref();
    let fail = |reason: String| Error::DataFile { path: dir.to_path_buf(), reason };
    let io = |source| Error::Io { path: dir.to_path_buf(), error: source };
    let mut classes: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| (entry.file_name().to_string_lossy().into_owned(), entry.path()))
        .collect();
    classes.sort();
    if classes.len() < 2 {
        let found = classes.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", ");
        return Err(fail(format!(
            "expected two or more class folders (DIR/<class>/*.png), found {}{}",
            classes.len(),
            if found.is_empty() { String::new() } else { format!(": {found}") }
        )));
    }
    let mut decoded = Vec::new();
    let mut labels = Vec::new();
    for (label, (name, path)) in classes.iter().enumerate() {
        let images = image_files(path)?;
        if images.is_empty() {
            return Err(Error::DataFile {
                path: path.clone(),
                reason: format!("class folder '{name}' has no .png, .jpg or .jpeg files"),
            });
        }
        for image in images {
            decoded.push((image.clone(), decode(&image)?));
            labels.push(label as f64);
        }
    }
    let (x, shape) = to_matrix(decoded, shape, Resize::Yes)?;
    let y = Array2::from_shape_vec((1, labels.len()), labels).expect("one label per image");
    Ok(Dataset {
        x,
        y,
        class_names: Some(classes.into_iter().map(|(name, _)| name).collect()),
        image: Some(shape),
        ..Dataset::default()
    })
}

/// Reads every PNG and JPEG file of a folder (no class subfolders: pictures to predict on),
/// sorted by file name, at `shape` (resized when `resize` allows, as [`read_image`] does).
/// Returns the file names and X, n_x × m: column j is the j-th file.
pub fn read_image_files(
    dir: impl AsRef<Path>,
    shape: ImageShape,
    resize: Resize,
) -> Result<(Vec<String>, Array2<f64>)> {
    let dir = dir.as_ref();
    let files = image_files(dir)?;
    if files.is_empty() {
        return Err(Error::DataFile {
            path: dir.to_path_buf(),
            reason: "the folder has no .png, .jpg or .jpeg files".into(),
        });
    }
    let names = files.iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    let decoded = files.into_iter().map(|p| decode(&p).map(|image| (p, image))).collect::<Result<Vec<_>>>()?;
    let (x, _) = to_matrix(decoded, Some(shape), resize)?;
    Ok((names, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `size`×`size` picture whose pixel (r, c) has grey level 10·r + c (RGB: that level
    /// in red, 0 in green, 255 in blue).
    fn write_picture(path: &Path, size: u32, grey: bool) {
        let level = |x: u32, y: u32| (10 * y + x) as u8;
        if grey {
            image::GrayImage::from_fn(size, size, |x, y| image::Luma([level(x, y)])).save(path).unwrap();
        } else {
            image::RgbImage::from_fn(size, size, |x, y| image::Rgb([level(x, y), 0, 255])).save(path).unwrap();
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dnn-images-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn grey_pictures_in_class_folders_stay_one_channel() {
        let dir = temp_dir("grey");
        for class in ["a", "b"] {
            std::fs::create_dir(dir.join(class)).unwrap();
            write_picture(&dir.join(class).join("1.png"), 8, true);
        }
        let data = read_image_folder(&dir, None).unwrap();
        assert_eq!(data.image, Some(ImageShape { height: 8, width: 8, channels: 1 }));
        assert_eq!(data.x.dim(), (64, 2));
        // Pixel (row 1, column 2) is feature 1·8 + 2 = 10, level 12.
        assert_eq!(data.x[(10, 0)], 12.0);
        // One colour picture makes them all RGB.
        write_picture(&dir.join("b").join("2.png"), 8, false);
        let data = read_image_folder(&dir, None).unwrap();
        assert_eq!(data.image, Some(ImageShape { height: 8, width: 8, channels: 3 }));
        assert_eq!(data.x.dim(), (192, 3));
        // Feature (row 1, column 2, channel 2) of the colour picture: blue, 255.
        assert_eq!(data.x[(3 * 10 + 2, 2)], 255.0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_plain_folder_gives_sorted_names_and_one_column_per_picture() {
        let dir = temp_dir("plain");
        write_picture(&dir.join("b.png"), 4, false);
        write_picture(&dir.join("a.png"), 8, true);
        std::fs::write(dir.join("notes.txt"), "not a picture").unwrap();
        let shape = ImageShape { height: 4, width: 4, channels: 3 };
        let (names, x) = read_image_files(&dir, shape, Resize::Yes).unwrap();
        assert_eq!(names, ["a.png", "b.png"]);
        assert_eq!(x.dim(), (48, 2));
        // b.png is already 4×4: pixel (row 2, column 3) is level 23 in red, feature 3·(2·4 + 3).
        assert_eq!((x[(33, 1)], x[(34, 1)], x[(35, 1)]), (23.0, 0.0, 255.0));
        // a.png is resized as read_image resizes it.
        let (alone, _) = read_image(dir.join("a.png"), Some(shape), Resize::Yes).unwrap();
        assert_eq!(x.column(0).to_vec(), alone);
        let error = read_image_files(&dir, shape, Resize::No).unwrap_err().to_string();
        assert_eq!(
            error,
            format!("{}: the image is 8×8 pixels, expected 4×4 (resizing is off)", dir.join("a.png").display())
        );
        std::fs::remove_dir_all(&dir).unwrap();
        let empty = temp_dir("plain-empty");
        let error = read_image_files(&empty, shape, Resize::Yes).unwrap_err().to_string();
        assert_eq!(error, format!("{}: the folder has no .png, .jpg or .jpeg files", empty.display()));
    }
}
