//! The `appspec` binary: parse arguments, run, print one error chain on failure.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use appspec::commands::cli::{Cli, Config, DiffFormat, Format, Mode, SchemaKind};
use appspec::input::diagnostic::Diagnostic;
use clap::Parser;

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            let text = format!("{err:#}");
            eprintln!("appspec: {}", appspec::input::diagnostic::escape(&text));
            ExitCode::from(2)
        }
    }
}

fn read_stdin(limit: usize) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit as u64 + 1)
        .read_to_end(&mut buf)
        .context("cannot read stdin")?;
    if buf.len() > limit {
        anyhow::bail!(
            "input on stdin is larger than the limit of {limit} bytes (--max-input-bytes)"
        );
    }
    String::from_utf8(buf).context("input on stdin is not UTF-8")
}

fn print_diagnostics(diagnostics: &[Diagnostic]) -> anyhow::Result<()> {
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        writeln!(stderr, "{d}")?;
    }
    Ok(())
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn print_out(text: &str) -> anyhow::Result<()> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write stdout"),
    }
}

fn exit(failed: bool) -> ExitCode {
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn krm(limits: &appspec::input::yaml::Limits, shim: bool) -> anyhow::Result<ExitCode> {
    appspec::commands::krm::exit_after_run();
    // Keep the protocol even when stdin cannot be read: answer with the error.
    let response = match read_stdin(limits.max_bytes) {
        Ok(input) if shim => match appspec::render::site_platform(limits) {
            Ok(site) => appspec::commands::krm::process_site(&input, limits, site),
            Err(e) => appspec::commands::krm::error_response(&format!(
                "cannot read the operator's platform: {e}"
            )),
        },
        Ok(input) => appspec::commands::krm::process(&input, limits),
        Err(e) => appspec::commands::krm::error_response(&format!("{e:#}")),
    };
    if shim {
        appspec::render::report_results(&response.diagnostics);
    }
    print_diagnostics(&response.diagnostics)?;
    print_out(&response.stdout)?;
    let failed = response.failed;
    // The process exits next and frees everything at once: no freeing (and coalescing) here.
    std::mem::forget(response);
    Ok(exit(failed))
}

/// The `docker` shim inside `risk`: the function's input goes to `risk`'s relay, which
/// runs the function and keeps what it made; its answer is printed as the function's.
fn relay(socket: &std::path::Path) -> anyhow::Result<ExitCode> {
    let input = read_stdin(appspec::input::yaml::Limits::default().max_bytes)?;
    let answer = appspec::risk::relay::forward(socket, &input)
        .with_context(|| format!("cannot reach risk's relay at {}", socket.display()))?;
    appspec::render::report_results(&answer.diagnostics);
    print_diagnostics(&answer.diagnostics)?;
    print_out(&answer.stdout)?;
    Ok(exit(answer.failed))
}

/// Bare `appspec` on a terminal: there is no ResourceList to wait for, so say what to do.
fn help() -> anyhow::Result<ExitCode> {
    use clap::CommandFactory;
    eprint!("{}", Cli::command().render_help());
    Ok(ExitCode::from(2))
}

fn run() -> anyhow::Result<ExitCode> {
    let args: Vec<String> = std::env::args().collect();
    if appspec::commands::cli::git_shim(&args) {
        anyhow::bail!("{}", appspec::render::GIT_REFUSED);
    }
    if let Some(image) = appspec::commands::cli::docker_shim_image(&args) {
        if !image.contains("/appspec:") && !image.contains("/appspec@") {
            anyhow::bail!(
                "container function {image:?} cannot run inside appspec render; only the appspec function can"
            );
        }
        if let Some(socket) = std::env::var_os(appspec::risk::relay::RELAY_ENV) {
            return relay(std::path::Path::new(&socket));
        }
        return krm(&appspec::input::yaml::Limits::default(), true);
    }
    let config = Config::from(Cli::parse());
    match config.mode {
        // The KRM function takes a worker thread only for deeply nested input.
        Mode::Krm => krm(&config.limits, false),
        Mode::Help => help(),
        // Files: deeply nested ones recurse; the parser's depth limit is sized for this stack.
        _ => appspec::input::yaml::with_big_stack(move || run_files(config)),
    }
}

fn run_files(config: Config) -> anyhow::Result<ExitCode> {
    match config.mode {
        Mode::Krm => krm(&config.limits, false),
        Mode::Render(options) => {
            let rendered = appspec::render::render(&options)?;
            print_diagnostics(&rendered.diagnostics)?;
            print_out(&rendered.stdout)?;
            Ok(exit(rendered.failed))
        }
        Mode::Hydrate { render, out } => {
            appspec::render::hydrate::check_separate(&out, &render.paths)?;
            let rendered = appspec::render::render_documents(&render)?;
            print_diagnostics(&rendered.diagnostics)?;
            if rendered.failed {
                eprintln!("appspec: nothing written to {}", out.display());
                return Ok(exit(true));
            }
            let files = appspec::render::hydrate::files(&rendered.documents)?;
            print_diagnostics(&appspec::render::hydrate::warnings(
                &rendered.documents,
                &out,
            ))?;
            let report = appspec::render::hydrate::write(&out, &files)
                .with_context(|| format!("cannot write {}", out.display()))?;
            print_out(&report.to_text(&out))?;
            Ok(ExitCode::SUCCESS)
        }
        Mode::Validate {
            paths,
            platform,
            format,
        } => {
            let found =
                appspec::commands::validate::check(&paths, platform.as_deref(), &config.limits)?;
            let text = match format {
                Format::Text => found.iter().map(|l| format!("{l}\n")).collect::<String>(),
                Format::Json => {
                    let list: Vec<_> = found.iter().map(|l| l.to_json()).collect();
                    format!("{}\n", serde_json::to_string_pretty(&list)?)
                }
            };
            print_out(&text)?;
            Ok(exit(found.iter().any(|l| l.diagnostic.is_error())))
        }
        Mode::Risk {
            base,
            head,
            format,
            build,
        } => {
            let report = appspec::risk::assess(&base, &head, &build)?;
            match format {
                Format::Json => {
                    print_out(&format!("{}\n", serde_json::to_string_pretty(&report)?))?
                }
                Format::Text => print_out(&report.to_text())?,
            }
            Ok(exit(report.level == appspec::risk::Level::High))
        }
        Mode::Diff {
            base,
            head,
            format,
            build,
        } => {
            let compared = appspec::risk::compare_trees(&base, &head, &build)?;
            let text = match format {
                DiffFormat::Text => appspec::risk::diff::to_text(&compared),
                DiffFormat::Markdown => appspec::risk::diff::to_markdown(&compared),
                DiffFormat::Json => appspec::risk::diff::to_json(&compared)?,
            };
            print_out(&text)?;
            Ok(exit(compared.report.level == appspec::risk::Level::High))
        }
        Mode::Help => help(),
        Mode::Schema(kind) => {
            let schema = match kind {
                SchemaKind::AppSpec => appspec::commands::schema::appspec(),
                SchemaKind::PlatformConfig => appspec::commands::schema::platform(),
            };
            print_out(&format!("{}\n", serde_json::to_string_pretty(&schema)?))?;
            Ok(ExitCode::SUCCESS)
        }
        Mode::Import(options) => {
            let outcome = appspec::import::run(&options);
            let mut stderr = std::io::stderr().lock();
            for line in &outcome.stderr {
                writeln!(stderr, "{line}")?;
            }
            print_out(&outcome.stdout)?;
            Ok(ExitCode::from(outcome.status as u8))
        }
        Mode::Init(options) => {
            let files = match appspec::commands::init::files(&options) {
                Err(appspec::commands::init::InitError::Invalid(lines)) => {
                    // One line per problem, as validate prints them; nothing written.
                    let mut stderr = std::io::stderr().lock();
                    for line in lines {
                        writeln!(stderr, "appspec init: {line}")?;
                    }
                    return Ok(ExitCode::from(2));
                }
                other => other?,
            };
            appspec::commands::init::write(&options.dir, &files)?;
            print_out(&appspec::commands::init::next_steps(&options.dir, &files))?;
            Ok(ExitCode::SUCCESS)
        }
        Mode::Discover(dir) => {
            let files = appspec::render::discover(&dir, &config.limits)?;
            print_out(
                &files
                    .iter()
                    .map(|f| format!("{}\n", f.display()))
                    .collect::<String>(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
