//! Typed CloudFormation statuses. Each `is_settled()` is an exhaustive match:
//! a status AWS adds later arrives as `Unknown` and is treated as not
//! settled until its name says otherwise, never by suffix guessing.

use std::fmt;

macro_rules! status_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            Unknown(String),
        }
        impl $name {
            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)+
                    other => $name::Unknown(other.to_string()),
                }
            }
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unknown(s) => s,
                }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

status_enum!(
    /// `AWS::CloudFormation::Stack` status.
    StackStatus {
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateFailed = "CREATE_FAILED",
        CreateComplete = "CREATE_COMPLETE",
        RollbackInProgress = "ROLLBACK_IN_PROGRESS",
        RollbackFailed = "ROLLBACK_FAILED",
        RollbackComplete = "ROLLBACK_COMPLETE",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        DeleteFailed = "DELETE_FAILED",
        DeleteComplete = "DELETE_COMPLETE",
        UpdateInProgress = "UPDATE_IN_PROGRESS",
        UpdateCompleteCleanupInProgress = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateComplete = "UPDATE_COMPLETE",
        UpdateFailed = "UPDATE_FAILED",
        UpdateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS",
        UpdateRollbackFailed = "UPDATE_ROLLBACK_FAILED",
        UpdateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE",
        ReviewInProgress = "REVIEW_IN_PROGRESS",
        ImportInProgress = "IMPORT_IN_PROGRESS",
        ImportComplete = "IMPORT_COMPLETE",
        ImportRollbackInProgress = "IMPORT_ROLLBACK_IN_PROGRESS",
        ImportRollbackFailed = "IMPORT_ROLLBACK_FAILED",
        ImportRollbackComplete = "IMPORT_ROLLBACK_COMPLETE",
    }
);

/// What a settled stack means for the next deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackState {
    /// Operations are running; wait.
    Busy,
    /// Holds resources and can be updated through a change set.
    Updatable,
    /// Exists only as a shell (never executed, or creation rolled back):
    /// a change set of type CREATE (REVIEW) or delete-and-recreate (ROLLBACK).
    Review,
    RolledBackCreate,
    /// Needs a human (continue-update-rollback, or a failed delete).
    Stuck,
    Deleted,
}

impl StackStatus {
    pub fn is_settled(&self) -> bool {
        !matches!(self.state(), StackState::Busy)
    }

    pub fn state(&self) -> StackState {
        use StackStatus::*;
        match self {
            CreateInProgress
            | RollbackInProgress
            | DeleteInProgress
            | UpdateInProgress
            | UpdateCompleteCleanupInProgress
            | UpdateRollbackInProgress
            | UpdateRollbackCompleteCleanupInProgress
            | ImportInProgress
            | ImportRollbackInProgress
            | Unknown(_) => StackState::Busy,
            CreateComplete | UpdateComplete | UpdateRollbackComplete | ImportComplete
            | ImportRollbackComplete => StackState::Updatable,
            ReviewInProgress => StackState::Review,
            RollbackComplete | CreateFailed | RollbackFailed => StackState::RolledBackCreate,
            UpdateFailed | UpdateRollbackFailed | DeleteFailed | ImportRollbackFailed => {
                StackState::Stuck
            }
            DeleteComplete => StackState::Deleted,
        }
    }

    /// Did the last operation fail (the stack is settled in a failed or rolled-back state)?
    pub fn is_failure(&self) -> bool {
        use StackStatus::*;
        match self {
            CreateFailed | RollbackFailed | RollbackComplete | DeleteFailed | UpdateFailed
            | UpdateRollbackFailed | UpdateRollbackComplete | ImportRollbackFailed
            | ImportRollbackComplete => true,
            CreateInProgress
            | CreateComplete
            | RollbackInProgress
            | DeleteInProgress
            | DeleteComplete
            | UpdateInProgress
            | UpdateCompleteCleanupInProgress
            | UpdateComplete
            | UpdateRollbackInProgress
            | UpdateRollbackCompleteCleanupInProgress
            | ReviewInProgress
            | ImportInProgress
            | ImportComplete
            | ImportRollbackInProgress
            | Unknown(_) => false,
        }
    }
}

status_enum!(
    /// `DescribeChangeSet.Status`.
    ChangeSetStatus {
        CreatePending = "CREATE_PENDING",
        CreateInProgress = "CREATE_IN_PROGRESS",
        CreateComplete = "CREATE_COMPLETE",
        DeletePending = "DELETE_PENDING",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        DeleteComplete = "DELETE_COMPLETE",
        DeleteFailed = "DELETE_FAILED",
        Failed = "FAILED",
    }
);

impl ChangeSetStatus {
    pub fn is_settled(&self) -> bool {
        use ChangeSetStatus::*;
        match self {
            CreatePending | CreateInProgress | DeletePending | DeleteInProgress | Unknown(_) => {
                false
            }
            CreateComplete | DeleteComplete | DeleteFailed | Failed => true,
        }
    }
}

status_enum!(
    /// `DescribeChangeSet.ExecutionStatus`.
    ExecutionStatus {
        Unavailable = "UNAVAILABLE",
        Available = "AVAILABLE",
        ExecuteInProgress = "EXECUTE_IN_PROGRESS",
        ExecuteComplete = "EXECUTE_COMPLETE",
        ExecuteFailed = "EXECUTE_FAILED",
        Obsolete = "OBSOLETE",
    }
);

impl ExecutionStatus {
    pub fn is_settled(&self) -> bool {
        use ExecutionStatus::*;
        match self {
            ExecuteInProgress | Unknown(_) => false,
            Unavailable | Available | ExecuteComplete | ExecuteFailed | Obsolete => true,
        }
    }
}

status_enum!(
    /// `StackSetOperation.Status`.
    OperationStatus {
        Queued = "QUEUED",
        Running = "RUNNING",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
        Stopping = "STOPPING",
        Stopped = "STOPPED",
    }
);

impl OperationStatus {
    pub fn is_settled(&self) -> bool {
        use OperationStatus::*;
        match self {
            Queued | Running | Stopping | Unknown(_) => false,
            Succeeded | Failed | Stopped => true,
        }
    }
    pub fn is_success(&self) -> bool {
        matches!(self, OperationStatus::Succeeded)
    }
}

status_enum!(
    /// `StackInstanceSummary.Status`.
    InstanceStatus {
        Current = "CURRENT",
        Outdated = "OUTDATED",
        Inoperable = "INOPERABLE",
    }
);

status_enum!(
    /// `StackInstanceSummary.StackInstanceStatus.DetailedStatus`.
    DetailedStatus {
        Pending = "PENDING",
        Running = "RUNNING",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
        Cancelled = "CANCELLED",
        Inoperable = "INOPERABLE",
        SkippedSuspendedAccount = "SKIPPED_SUSPENDED_ACCOUNT",
        FailedImport = "FAILED_IMPORT",
    }
);

impl DetailedStatus {
    pub fn is_settled(&self) -> bool {
        use DetailedStatus::*;
        match self {
            Pending | Running | Unknown(_) => false,
            Succeeded | Failed | Cancelled | Inoperable | SkippedSuspendedAccount
            | FailedImport => true,
        }
    }
    pub fn is_failure(&self) -> bool {
        use DetailedStatus::*;
        match self {
            Failed | Cancelled | Inoperable | FailedImport => true,
            Pending | Running | Succeeded | SkippedSuspendedAccount | Unknown(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_and_unknown_is_not_settled() {
        assert_eq!(StackStatus::parse("UPDATE_COMPLETE"), StackStatus::UpdateComplete);
        assert_eq!(StackStatus::parse("UPDATE_COMPLETE").as_str(), "UPDATE_COMPLETE");
        assert!(!StackStatus::parse("NEW_THING_COMPLETE").is_settled());
        assert!(!StackStatus::UpdateCompleteCleanupInProgress.is_settled());
        assert!(StackStatus::UpdateRollbackComplete.is_failure());
        assert_eq!(StackStatus::ReviewInProgress.state(), StackState::Review);
        assert!(!OperationStatus::Queued.is_settled());
        assert!(OperationStatus::Stopped.is_settled());
        assert!(DetailedStatus::Failed.is_failure());
        assert!(!ChangeSetStatus::CreatePending.is_settled());
        assert!(ExecutionStatus::Available.is_settled());
    }
}
