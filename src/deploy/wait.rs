//! Waiting and retrying around the SDK's own retries. The SDK retries each
//! call (throttling, 5xx, timeouts) with exponential backoff and jitter; the
//! loops here add the same for the polling that spans many calls, and the
//! overall timeout is applied outside the polling loop.

use std::future::Future;
use std::time::Duration;

use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

/// Throttling and server-side error codes worth another try.
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "InternalFailure",
    "InternalError",
    "ServiceUnavailable",
];

pub fn is_transient<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(e) => e.err().code().map(|c| TRANSIENT_CODES.contains(&c)).unwrap_or(false),
        _ => false,
    }
}

/// The error code of a service error (`AlreadyExistsException`, …).
pub fn code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(e) => e.err().code(),
        _ => None,
    }
}

/// The service's message, or the error's own text.
pub fn message<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    err: &SdkError<E, R>,
) -> String {
    match err {
        SdkError::ServiceError(e) => {
            let code = e.err().code().unwrap_or("error");
            format!("{code}: {}", e.err().message().unwrap_or(""))
        }
        other => format!("{}", aws_smithy_types::error::display::DisplayErrorContext(other)),
    }
}

/// Backoff with full jitter: a random delay in [base/2, base * 2^attempt], capped.
pub fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(10)).min(cap);
    let lo = base / 2;
    let span = exp.saturating_sub(lo).as_millis() as u64;
    lo + Duration::from_millis(if span == 0 { 0 } else { fastrand::u64(0..=span) })
}

/// Run `call` again (up to `tries` times) while it fails with a transient error.
pub async fn retry_transient<T, E, R, F, Fut>(base: Duration, tries: u32, mut call: F) -> Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt + 1 < tries && is_transient(&e) => {
                tokio::time::sleep(backoff(base, attempt, Duration::from_secs(30))).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Sleep between two polls: the interval plus up to 25% jitter.
pub async fn poll_pause(interval: Duration) {
    let jitter = interval.as_millis() as u64 / 4;
    let extra = if jitter == 0 { 0 } else { fastrand::u64(0..=jitter) };
    tokio::time::sleep(interval + Duration::from_millis(extra)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_grows() {
        let base = Duration::from_millis(100);
        for attempt in 0..20 {
            let d = backoff(base, attempt, Duration::from_secs(2));
            assert!(d >= Duration::from_millis(50) && d <= Duration::from_secs(2), "{d:?}");
        }
    }
}
