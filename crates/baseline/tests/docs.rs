//! docs/detection.md stays true: its detector-settings example is exactly the defaults.

use wardwatch_baseline::DetectorConfig;

const DOC: &str = include_str!("../../../docs/detection.md");

#[test]
fn documented_detector_settings_are_the_defaults() {
    let section = DOC
        .split("### Detector settings")
        .nth(1)
        .expect("section present");
    let block = section
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("toml block");
    let parsed: DetectorConfig = toml::from_str(block).expect("valid TOML");
    assert_eq!(parsed, DetectorConfig::default());
    parsed.validate().expect("valid settings");
}
