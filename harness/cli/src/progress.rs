//! Progress of a run: a bar on a terminal, plain lines in CI or when stderr is not
//! a terminal, and one line per case with `--verbose`.

use c169_report::{Event, Sink};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal as _;

/// Every how many cases a plain progress line is printed.
const EVERY: usize = 100;

#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    terminal: bool,
    verbose: bool,
    phase: String,
    total: usize,
    done: usize,
}

impl Progress {
    pub fn new(verbose: bool) -> Self {
        let terminal = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Progress {
            bar: None,
            terminal,
            verbose,
            phase: String::new(),
            total: 0,
            done: 0,
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Sink for Progress {
    fn ticker(&self) -> Option<c169_report::Ticker> {
        let bar = self.bar.clone()?;
        Some(std::sync::Arc::new(move || bar.inc(1)))
    }

    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Phase { name, cases } => {
                self.finish();
                (*name).clone_into(&mut self.phase);
                self.total = *cases;
                self.done = 0;
                if self.terminal {
                    let bar = if *cases > 0 {
                        ProgressBar::new(*cases as u64)
                    } else {
                        ProgressBar::new_spinner()
                    };
                    let template = if *cases > 0 {
                        "{prefix:>9} [{bar:40}] {pos}/{len} {elapsed} {msg}"
                    } else {
                        "{prefix:>9} {spinner} {pos} done {elapsed}"
                    };
                    if let Ok(style) = ProgressStyle::with_template(template) {
                        bar.set_style(style.progress_chars("=> "));
                    }
                    bar.set_prefix((*name).to_owned());
                    self.bar = Some(bar);
                } else if *cases > 0 {
                    eprintln!("c169: running {cases} {name}");
                } else {
                    eprintln!("c169: running the {name}");
                }
            }
            Event::Case(c) => {
                self.done += 1;
                if self.verbose {
                    let line = format!(
                        "{:5} {:8} {} — {}",
                        c.status.as_str(),
                        c.grade_name(),
                        c.id,
                        c.reason
                    );
                    match &self.bar {
                        Some(bar) => bar.println(line),
                        None => println!("{line}"),
                    }
                }
                if let Some(bar) = &self.bar {
                    // Scenarios were counted by the ticker as they ran.
                    if self.total > 0 {
                        bar.inc(1);
                        bar.set_message(c.id.clone());
                    }
                } else if self.total > 0 && self.done.is_multiple_of(EVERY) {
                    eprintln!("c169: {}/{} {}", self.done, self.total, self.phase);
                }
            }
        }
    }
}
