//! Exit codes, and how every error maps to one.

use std::fmt;

/// The process exit code; the numbers are part of the CLI's contract (see `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Success = 0,
    /// 1: the task failed or was canceled, or rows failed to import.
    Failed = 1,
    /// 2: the wait timed out.
    TimedOut = 2,
    /// 3: bad usage or input.
    Usage = 3,
    /// 4: authentication or authorization.
    Auth = 4,
    /// 5: any other API or network error.
    Api = 5,
}

impl Exit {
    /// The number handed to the shell.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// An error the CLI raises itself, carrying the exit code it stands for.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// What to tell the user (may span lines, e.g. one per bad input row).
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// A bad-usage or bad-input error (exit 3).
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    failure(Exit::Usage, message)
}

/// An error with the given exit code.
pub fn failure(exit: Exit, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Failure {
        exit,
        message: message.into(),
    })
}

/// The exit code for an error: the first cause in the chain that has a meaning decides;
/// anything unknown (e.g. writing stdout failed) is 5.
pub fn exit_for(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if let Some(failure) = cause.downcast_ref::<Failure>() {
            return failure.exit;
        }
        if let Some(sdk) = cause.downcast_ref::<labelbox::Error>() {
            return exit_for_sdk(sdk);
        }
    }
    Exit::Api
}

/// The worse of two exits: the higher code (a timeout beats a failed task, an API error
/// beats both).
pub fn worst(a: Exit, b: Exit) -> Exit {
    if b.code() > a.code() {
        b
    } else {
        a
    }
}

/// SDK errors: the key's problems are 4, what the user asked for that cannot be (a bad value,
/// no such object, a task that cannot be canceled or has no result) 3, a wait's timeout 2, the
/// rest 5.
pub fn exit_for_sdk(err: &labelbox::Error) -> Exit {
    use labelbox::Error;
    // A malformed key (blank, spaces, control characters) is the key's problem too.
    let bad_key = matches!(err, Error::InvalidInput { field, .. } if field == "api_key");
    if err.is_authentication() || err.is_authorization() || bad_key {
        return Exit::Auth;
    }
    if err.is_wait_timed_out() {
        return Exit::TimedOut;
    }
    if err.is_invalid_input() || err.is_not_found() {
        return Exit::Usage;
    }
    match err {
        Error::TaskNotCancelable { .. } | Error::ResultUnavailable { .. } => Exit::Usage,
        Error::JobFailed { .. } | Error::RegistrationFailed { .. } => Exit::Failed,
        _ => Exit::Api,
    }
}

/// Whether the error is stdout's reader going away (`labelbox task result ID | head`): not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
