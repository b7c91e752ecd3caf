//! One module per subcommand; each turns its arguments into library settings,
//! calls the libraries and prints.

mod image;
mod run;

use crate::cli::{Cli, Command, GlobalArgs, LimitArgs};
use crate::exit::Code;
use crate::ui::SetupProgress;
use anyhow::{Context as _, Result};
use gavel_sandbox::{Cache, Image, Limits, Sandbox, image as images};
use std::sync::Arc;
use std::time::Duration;

pub fn execute(cli: Cli) -> Result<Code> {
    let context = Context::new(cli.global)?;
    match cli.command {
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
