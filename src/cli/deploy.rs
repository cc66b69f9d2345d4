//! `plan`, `deploy`, `status`, `destroy`: the configuration's bundle, rolled
//! out (or inspected) through the AWS SDK. The work is in `crate::deploy`.

use std::io::Write;

use crate::deploy::args::{DeployArgs, DestroyArgs, PlanArgs, StatusArgs};
use crate::render::Format;

use super::{compile, ConfigArg};

macro_rules! command {
    ($name:ident, $inner:ty, $validate:expr) => {
        #[derive(Debug, clap::Args)]
        pub struct $name {
            #[command(flatten)]
            pub config: ConfigArg,
            #[command(flatten)]
            pub inner: $inner,
        }

        impl $name {
            pub fn execute(&self, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
                let (_, bundle) = match compile::load(&self.config, err) {
                    Ok(b) => b,
                    Err(code) => return code,
                };
                if $validate {
                    if let Err(code) = compile::require_valid(&bundle, Format::Yaml, err) {
                        return code;
                    }
                }
                self.inner.execute(&bundle, out, err)
            }
        }
    };
}

command!(Plan, PlanArgs, true);
command!(Deploy, DeployArgs, true);
command!(Status, StatusArgs, false);
command!(Destroy, DestroyArgs, false);
