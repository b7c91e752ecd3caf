//! `gavel image` for people.

use gavel_sandbox::Image;

/// The image's description, a field per line.
pub(crate) fn describe(image: &Image, modules: Option<&[String]>) {
    let origin = match &image.origin {
        gavel_sandbox::image::Origin::Built { tool } => format!("built with {tool}"),
        gavel_sandbox::image::Origin::Imported { from } => {
            format!("imported from {}", from.display())
        }
        gavel_sandbox::image::Origin::File => "a file given with --image".to_owned(),
    };
    println!("name:     {}", image.name);
    println!("python:   {}", image.python_version);
    println!("sha256:   {}", image.sha256);
    println!("size:     {} bytes", image.size);
    println!("path:     {}", image.path.display());
    println!("origin:   {origin}");
    if let Some(modules) = modules {
        println!("modules:  {}", modules.join(" "));
    }
}
