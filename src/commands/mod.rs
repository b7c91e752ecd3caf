//! One module per subcommand; each turns its arguments into library settings,
//! calls the libraries and prints.

mod check;
mod export;
mod grade;
mod image;
mod list;
mod run;
mod submit;

use crate::cli::{Cli, Command, GlobalArgs, LimitArgs};
use crate::exit::Code;
use crate::ui::SetupProgress;
use anyhow::{Context as _, Result};
use gavel_exercise::Exercise;
use gavel_judge::Judge;
use gavel_sandbox::{Cache, Image, Limits, Sandbox, image as images};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub fn execute(cli: Cli) -> Result<Code> {
    let context = Context::new(cli.global)?;
    match cli.command {
        Command::List { json } => list::list(&context, json),
        Command::Show { id, json } => list::show(&context, &id, json),
        Command::Test(args) => submit::execute(&context, args, false),
        Command::Submit(args) => submit::execute(&context, args, true),
        Command::Grade(args) => grade::execute(&context, args),
        Command::Check(args) => check::execute(&context, args),
        Command::Export(args) => export::execute(&context, args),
        Command::Run(args) => run::execute(&context, args),
        Command::Image(command) => image::execute(&context, command),
    }
}

/// What every command shares: the cache, the async runtime, the settings.
pub struct Context {
    pub global: GlobalArgs,
    pub cache: Cache,
    pub runtime: tokio::runtime::Runtime,
    pub jobs: usize,
}

impl Context {
    fn new(global: GlobalArgs) -> Result<Context> {
        let cache = Cache::from_env()?;
        let jobs = match global.jobs {
            Some(0) => anyhow::bail!("--jobs must be at least 1"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(jobs)
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        Ok(Context {
            global,
            cache,
            runtime,
            jobs,
        })
    }

    /// The runner image in use: `--image FILE`, else the built-in one (built
    /// on first use).
    pub fn image(&self) -> Result<Image> {
        if let Some(path) = &self.global.image {
            return images::from_file(path)
                .with_context(|| format!("cannot use the image `{}`", path.display()));
        }
        let mut progress = SetupProgress::new();
        Ok(images::ensure(
            &self.cache,
            &images::PYTHON_3_14,
            &mut |step| progress.step(step),
        )?)
    }

    /// The catalog directory: `--catalog`, else `./exercises`, else the
    /// catalog of the source tree gavel was built from.
    pub fn catalog_dir(&self) -> PathBuf {
        if let Some(dir) = &self.global.catalog {
            return dir.clone();
        }
        let local = PathBuf::from("exercises");
        if std::fs::read_dir(&local).is_ok_and(|mut d| d.next().is_some()) {
            return local;
        }
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("exercises")
    }

    /// Every exercise of the catalog. Any broken exercise is an error: every
    /// problem is listed, and none is skipped.
    pub fn catalog(&self) -> Result<Vec<Arc<Exercise>>> {
        let dir = self.catalog_dir();
        anyhow::ensure!(
            dir.is_dir(),
            "no exercise catalog at `{}` (give one with --catalog DIR or GAVEL_CATALOG)",
            dir.display()
        );
        let (exercises, errors) = gavel_exercise::load_catalog(&dir);
        if !errors.is_empty() {
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            anyhow::bail!(
                "the catalog `{}` has {} broken exercise(s):\n{}",
                dir.display(),
                errors.len(),
                list.join("\n")
            );
        }
        Ok(exercises.into_iter().map(Arc::new).collect())
    }

    /// One exercise of the catalog, by id.
    pub fn exercise(&self, id: &str) -> Result<Arc<Exercise>> {
        let dir = self.catalog_dir().join(id);
        if !dir.join("exercise.toml").is_file() {
            let known: Vec<String> = self.catalog()?.iter().map(|e| e.id.clone()).collect();
            anyhow::bail!(
                "no exercise `{id}` in `{}`; known: {}",
                self.catalog_dir().display(),
                known.join(", ")
            );
        }
        Ok(Arc::new(gavel_exercise::load(&dir)?))
    }

    /// A judge over the sandbox, with the judge cache beside the image cache.
    pub fn judge(&self) -> Result<Judge> {
        Ok(Judge::new(
            self.sandbox()?,
            self.jobs,
            self.cache.root().join("judge"),
        ))
    }

    /// A sandbox over the image in use, ready to run.
    pub fn sandbox(&self) -> Result<Arc<Sandbox>> {
        let image = self.image()?;
        let mut progress = SetupProgress::new();
        let sandbox = Sandbox::with_progress(&self.cache, image, &mut |step| progress.step(step))?;
        Ok(Arc::new(sandbox))
    }
}

impl LimitArgs {
    /// The limits these flags describe, on top of `base`.
    pub fn apply(&self, mut base: Limits) -> Result<Limits> {
        if let Some(fuel) = self.fuel {
            base.fuel = fuel;
        }
        if let Some(seconds) = self.wall_time {
            anyhow::ensure!(
                seconds.is_finite() && seconds > 0.0,
                "--wall-time must be a positive number of seconds"
            );
            base.wall_time = Duration::from_secs_f64(seconds);
        }
        if let Some(mib) = self.memory {
            base.memory_bytes = mib.saturating_mul(1024 * 1024);
        }
        if let Some(kib) = self.output {
            base.output_bytes = kib.saturating_mul(1024);
        }
        Ok(base)
    }
}
