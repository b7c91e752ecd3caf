//! The resources one run may use: the single home of their defaults, units and
//! allowed ranges. The sandbox enforces [`Limits`]; the exercise manifest, the
//! command line and the server's flags describe them in the units people use
//! (seconds, MiB, KiB) and convert and validate through this module.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use thiserror::Error;

/// Default instruction budget of a run: about a second of CPython at the
/// ~10 G fuel/s measured on the machines gavel runs on.
pub const DEFAULT_FUEL: u64 = 10_000_000_000;

/// Fuel per second of a native CPython's CPU time, where a budget must be
/// given in seconds (Judge0's `cpu_time_limit`, a Kattis package's
/// `time_limit` without a Python reference to measure). Measured on this
/// project's 2-core machine: programs that ran 0.18 to 0.46 s in native
/// CPython 3.11 (a loop of arithmetic, sorting and counting in lists and
/// dicts, building and splitting strings) used 13 to 21 G fuel per native
/// second; the rate is a round figure at the slower end.
pub const FUEL_PER_SECOND: u64 = 15_000_000_000;
/// Default limit on the time a run may spend waiting, in seconds.
pub const DEFAULT_WALL_TIME_SECS: f64 = 10.0;
/// Default memory limit in MiB.
pub const DEFAULT_MEMORY_MIB: u64 = 256;
/// Default output limit (stdout and stderr together) in KiB.
pub const DEFAULT_OUTPUT_KIB: u64 = 1024;
/// Default multiple of the reference solution's fuel a test allows.
pub const DEFAULT_FUEL_MARGIN: f64 = 3.0;
/// Default lowest fuel budget of any test.
pub const DEFAULT_FUEL_FLOOR: u64 = 100_000_000;
/// Default limit on the size of a submitted source, in KiB.
pub const DEFAULT_SOURCE_KIB: u64 = 1024;

/// Allowed range of a fuel budget (a fuel floor or a fixed budget).
pub const FUEL_RANGE: (u64, u64) = (1_000_000, 1_000_000_000_000);
/// Allowed range of a fuel margin.
pub const FUEL_MARGIN_RANGE: (f64, f64) = (1.0, 1000.0);
/// Allowed range of the wall-clock limit, in seconds.
pub const WALL_TIME_RANGE: (f64, f64) = (0.01, 3600.0);
/// Allowed range of the memory limit, in MiB: the interpreter's snapshot
/// alone takes about 16 MiB, and wasm32 addresses at most 4 GiB.
pub const MEMORY_RANGE: (u64, u64) = (32, 4096);
/// Allowed range of the output limit, in KiB.
pub const OUTPUT_RANGE: (u64, u64) = (1, 65_536);
/// Allowed range of the source size limit, in KiB.
pub const SOURCE_RANGE: (u64, u64) = (1, 65_536);

/// The resources one run may use. Every limit is hard: reaching it ends the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Instruction budget in wasmtime fuel units (about one per wasm instruction).
    /// Deterministic: the same program and input always consume the same fuel.
    pub fuel: u64,
    /// Limit on the time the program spends waiting in the host (sleeping,
    /// reading input): the safety net for what burns no fuel. Time spent running
    /// guest code is limited by fuel alone, so a busy machine never turns an
    /// accepted run into a time limit.
    #[serde(with = "duration_ms")]
    pub wall_time: Duration,
    /// Cap on the total size of the guest's linear memories, in bytes.
    pub memory_bytes: u64,
    /// Cap on stdout and stderr together, in bytes.
    pub output_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: DEFAULT_FUEL,
            wall_time: Duration::from_secs_f64(DEFAULT_WALL_TIME_SECS),
            memory_bytes: mib(DEFAULT_MEMORY_MIB),
            output_bytes: kib(DEFAULT_OUTPUT_KIB),
        }
    }
}

/// Bytes in `n` MiB.
pub const fn mib(n: u64) -> u64 {
    n.saturating_mul(1024 * 1024)
}

/// Bytes in `n` KiB.
pub const fn kib(n: u64) -> u64 {
    n.saturating_mul(1024)
}

/// Fuel for people: `668.1M`, `17.2G`, `950`.
pub fn human_fuel(fuel: u64) -> String {
    match fuel {
        f if f >= 1_000_000_000 => format!("{:.1}G", f as f64 / 1e9),
        f if f >= 1_000_000 => format!("{:.1}M", f as f64 / 1e6),
        f if f >= 1_000 => format!("{:.1}k", f as f64 / 1e3),
        f => f.to_string(),
    }
}

/// A limit outside its allowed range.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("`{name}` must be between {min} and {max}{unit}, not {value}")]
pub struct LimitError {
    /// The setting.
    pub name: &'static str,
    /// The value given.
    pub value: String,
    /// The smallest allowed value.
    pub min: String,
    /// The largest allowed value.
    pub max: String,
    /// The unit, with a leading space (or empty).
    pub unit: &'static str,
}

/// Checks that `value` of the setting `name` lies in `range` (inclusive); a
/// NaN or an infinity lies in no range.
pub fn check<T: PartialOrd + ToString + Copy>(
    name: &'static str,
    value: T,
    range: (T, T),
    unit: &'static str,
) -> Result<T, LimitError> {
    if (range.0..=range.1).contains(&value) {
        Ok(value)
    } else {
        Err(LimitError {
            name,
            value: value.to_string(),
            min: range.0.to_string(),
            max: range.1.to_string(),
            unit,
        })
    }
}

impl Limits {
    /// Limits from the units people use, each checked against its range.
    pub fn from_units(
        fuel: u64,
        wall_time_secs: f64,
        memory_mib: u64,
        output_kib: u64,
    ) -> Result<Limits, LimitError> {
        Ok(Limits {
            fuel: check("fuel", fuel, FUEL_RANGE, "")?,
            wall_time: Duration::from_secs_f64(check(
                "wall_time",
                wall_time_secs,
                WALL_TIME_RANGE,
                " seconds",
            )?),
            memory_bytes: mib(check("memory", memory_mib, MEMORY_RANGE, " MiB")?),
            output_bytes: kib(check("output", output_kib, OUTPUT_RANGE, " KiB")?),
        })
    }
}

mod duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones_in_bytes() {
        let limits = Limits::default();
        assert_eq!(limits.memory_bytes, 256 << 20);
        assert_eq!(limits.output_bytes, 1 << 20);
        assert_eq!(
            Limits::from_units(DEFAULT_FUEL, 10.0, 256, 1024).unwrap(),
            limits
        );
    }

    #[test]
    fn out_of_range_values_name_the_range() {
        let err = Limits::from_units(DEFAULT_FUEL, 10.0, 0, 1024).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`memory` must be between 32 and 4096 MiB, not 0"
        );
        let err = Limits::from_units(DEFAULT_FUEL, 1e-9, 256, 1024).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`wall_time` must be between 0.01 and 3600 seconds")
        );
        assert!(Limits::from_units(0, 1.0, 256, 1024).is_err());
        assert!(Limits::from_units(DEFAULT_FUEL, f64::NAN, 256, 1024).is_err());
    }
}
