//! One module per subcommand; each turns its arguments into library settings,
//! calls the libraries and hands the results to `render` (or prints JSON).

mod check;
mod export;
mod grade;
mod image;
mod import;
mod list;
mod local;
mod remote;
mod run;
mod serve;
mod stress;

use crate::catalog::{self, CatalogDir};
use crate::cli::{Cli, Command, GlobalArgs};
use crate::exit::Code;
use crate::render::SetupProgress;
use anyhow::{Context as _, Result};
use gavel_core::Cache;
use gavel_exercise::Exercise;
use gavel_judge::Judge;
use gavel_sandbox::{Image, Sandbox, WorkerCommand, image as images};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// Writes a completion script or the man page: no session, no catalog.
fn describe(command: &Command) -> Option<Result<Code>> {
    use clap::CommandFactory;
    let mut cli = Cli::command();
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut cli, "gavel", &mut std::io::stdout());
            Some(Ok(Code::Accepted))
        }
        Command::Man => Some(
            clap_mangen::Man::new(cli)
                .render(&mut std::io::stdout())
                .map(|()| Code::Accepted)
                .context("cannot write the man page"),
        ),
        _ => None,
    }
}

pub(crate) fn execute(cli: Cli) -> Result<Code> {
    if let Some(done) = describe(&cli.command) {
        return done;
    }
    // Only the server may judge nothing itself (`serve --jobs 0`).
    let judging_optional = matches!(cli.command, Command::Serve(_));
    let session = Session::new(cli.global, judging_optional)?;
    let client = match &cli.command {
        Command::List { .. } | Command::Show { .. } | Command::Submit(_) => session.remote()?,
        _ => None,
    };
    match cli.command {
        Command::List { json } => match &client {
            Some(client) => remote::list(client, json),
            None => list::list(&session, json),
        },
        Command::Show { id, json } => match &client {
            Some(client) => remote::show(client, &id, json),
            None => list::show(&session, &id, json),
        },
        Command::Test(args) => local::execute(&session, args, false),
        Command::Submit(args) => match &client {
            Some(client) => remote::submit(client, &args),
            None => local::execute(&session, args, true),
        },
        Command::Grade(args) => grade::execute(&session, args),
        Command::Merge(args) => grade::merge(&session, args),
        Command::Check(args) => check::execute(&session, args),
        Command::Export(args) => export::execute(&session, args),
        Command::Stress(args) => stress::execute(&session, args),
        Command::Run(args) => run::execute(&session, args),
        Command::Image(command) => image::execute(&session, command),
        Command::Import(command) => import::execute(command),
        Command::Fetch(args) => remote::fetch(&session, &args),
        Command::Submissions { json } => remote::submissions(&session, json),
        Command::Login { url, token } => remote::login(&url, &token),
        Command::Logout => remote::logout(),
        Command::Serve(args) => serve::serve(&session, args),
        Command::Admin(args) => serve::admin(&session, args),
        Command::Worker(args) => serve::worker(&session, args),
        Command::Completions { .. } | Command::Man => unreachable!("handled by describe"),
    }
}

/// The end of `test` and `submit`, local or remote: the summary (or the
/// JSON), the Exercism file if asked for, and the exit code.
pub(crate) fn finish_result(
    result: &gavel_judge::SubmissionResult,
    json: bool,
    exercism: Option<&std::path::Path>,
) -> Result<crate::exit::Code> {
    if let Some(path) = exercism {
        let mut text = serde_json::to_string_pretty(&gavel_judge::report::exercism(result))?;
        text.push('\n');
        gavel_core::fs::write_atomically(path, text.as_bytes())
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if json {
        print_json(result)?;
    } else {
        crate::render::submission::summary(result);
    }
    Ok(crate::exit::Code::of_result(result))
}

/// Prints `value` as the one JSON document of a command's `--json` output.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// What every command of one invocation shares: the settings, the cache, the
/// async runtime, and (once asked for) the catalog.
pub(crate) struct Session {
    pub(crate) global: GlobalArgs,
    pub(crate) cache: Cache,
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) jobs: usize,
    /// Submissions the server judges at once: `--jobs`, which may be 0 for
    /// `serve` alone (then `jobs` is 1, for the sandbox's other uses).
    pub(crate) judging: usize,
    catalog: OnceLock<CatalogDir>,
}

impl Session {
    fn new(global: GlobalArgs, judging_optional: bool) -> Result<Session> {
        let cache = Cache::from_env()?;
        let judging = match global.jobs {
            Some(0) if !judging_optional => anyhow::bail!("--jobs must be at least 1"),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let jobs = judging.max(1);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(jobs)
            // Comparing a deeply nested returned value recurses.
            .thread_stack_size(8 << 20)
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        Ok(Session {
            global,
            cache,
            runtime,
            jobs,
            judging,
            catalog: OnceLock::new(),
        })
    }

    /// The gavel server the candidate's commands talk to, if one is
    /// configured (see `crate::login`).
    pub(crate) fn remote(&self) -> Result<Option<gavel_api::Client>> {
        crate::login::client(self.global.server.as_deref(), self.global.token.as_deref())
    }

    /// The runner image in use: `--image NAME` or `--image FILE`, else the
    /// default one (built on first use).
    pub(crate) fn image(&self) -> Result<Image> {
        if let Some(path) = &self.global.image
            && images::source(&path.to_string_lossy()).is_none()
        {
            return images::from_file(path)
                .with_context(|| format!("cannot use the image `{}`", path.display()));
        }
        self.built_image(self.image_source())
    }

    /// The built-in image `--image` names, else the default one.
    pub(crate) fn image_source(&self) -> &'static images::ImageSource {
        self.global
            .image
            .as_ref()
            .and_then(|name| images::source(&name.to_string_lossy()))
            .unwrap_or(&images::IMAGES[0])
    }

    /// A built-in image, built on first use.
    pub(crate) fn built_image(&self, source: &images::ImageSource) -> Result<Image> {
        let mut progress = SetupProgress::new();
        Ok(images::ensure(&self.cache, source, &mut |step| {
            progress.step(step)
        })?)
    }

    /// The catalog directory in use, and how it was chosen.
    pub(crate) fn catalog_dir(&self) -> Result<&CatalogDir> {
        if let Some(dir) = self.catalog.get() {
            return Ok(dir);
        }
        let dir = catalog::resolve(self.global.catalog.as_deref(), &self.cache)?;
        tracing::info!(catalog = %dir.path.display(), "using {}", dir.label);
        Ok(self.catalog.get_or_init(|| dir))
    }

    /// Uses `path` as the catalog, unless `--catalog` says otherwise or a
    /// catalog is in use already.
    pub(crate) fn prefer_catalog(&self, path: PathBuf, label: String) {
        if self.global.catalog.is_none() && path.is_dir() {
            let _ = self.catalog.set(CatalogDir { path, label });
        }
    }

    /// Every exercise of the catalog. Any broken exercise is an error: every
    /// problem is listed, and none is skipped.
    pub(crate) fn catalog(&self) -> Result<Vec<Arc<Exercise>>> {
        let dir = self.catalog_dir()?;
        let catalog = gavel_exercise::load_catalog(&dir.path);
        if !catalog.errors.is_empty() {
            let list: Vec<String> = catalog.errors.iter().map(|e| format!("  {e}")).collect();
            anyhow::bail!(
                "the catalog {} has {} problem(s):\n{}",
                dir.label,
                catalog.errors.len(),
                list.join("\n")
            );
        }
        Ok(catalog.exercises.into_iter().map(Arc::new).collect())
    }

    /// One exercise of the catalog, by id.
    pub(crate) fn exercise(&self, id: &str) -> Result<Arc<Exercise>> {
        let exercises = self.catalog()?;
        match exercises.iter().find(|e| e.id == id) {
            Some(exercise) => Ok(exercise.clone()),
            None => {
                let known: Vec<&str> = exercises.iter().map(|e| e.id.as_str()).collect();
                anyhow::bail!(
                    "no exercise `{id}` in {}; known: {}",
                    self.catalog_dir()?.label,
                    known.join(", ")
                )
            }
        }
    }

    /// A judge over a sandbox that runs programs in `--jobs` worker processes.
    pub(crate) fn judge(&self) -> Result<Judge> {
        let image = self.image()?;
        let worker = WorkerCommand {
            program: std::env::current_exe().context("cannot find gavel's own executable")?,
            args: vec![crate::WORKER.into()],
        };
        let mut progress = SetupProgress::new();
        let sandbox =
            Sandbox::in_workers(&self.cache, image, self.jobs, worker.clone(), &mut |step| {
                progress.step(step)
            })?;
        drop(progress);
        // The toolchain of native checkers is made ready (once per machine)
        // only when an exercise being judged has one, with its own progress.
        let setup = std::sync::Mutex::new(SetupProgress::new());
        Ok(Judge::new(Arc::new(sandbox), &self.cache)
            .with_setup_progress(move |step| {
                if let Ok(mut progress) = setup.lock() {
                    progress.toolchain(step);
                }
            })
            .with_images(self.image_maker(worker)))
    }

    /// How the judge makes the sandbox of an image an exercise names
    /// (`image = "scientific"`): built on first use, run in worker processes
    /// like the default one.
    fn image_maker(&self, worker: WorkerCommand) -> gavel_judge::MakeSandbox {
        let cache = self.cache.clone();
        let jobs = self.jobs;
        Arc::new(move |image: gavel_exercise::Image| {
            let source = images::source(image.name())
                .ok_or_else(|| format!("gavel does not know the image `{}`", image.name()))?;
            let mut progress = SetupProgress::new();
            let built = images::ensure(&cache, source, &mut |step| progress.step(step))
                .map_err(|e| format!("{:#}", anyhow::Error::from(e)))?;
            let sandbox = Sandbox::in_workers(&cache, built, jobs, worker.clone(), &mut |step| {
                progress.step(step)
            })
            .map_err(|e| format!("{:#}", anyhow::Error::from(e)))?;
            Ok(Arc::new(sandbox))
        })
    }

    /// A sandbox over the image in use, running one program at a time in
    /// this process (a single run starts fastest this way).
    pub(crate) fn sandbox(&self) -> Result<Sandbox> {
        self.sandbox_with(1)
    }

    fn sandbox_with(&self, slots: usize) -> Result<Sandbox> {
        let image = self.image()?;
        let mut progress = SetupProgress::new();
        Ok(Sandbox::with_progress(
            &self.cache,
            image,
            slots,
            &mut |step| progress.step(step),
        )?)
    }
}
