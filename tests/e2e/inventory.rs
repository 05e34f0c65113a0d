//! `wardwatch inventory` on real and generated captures (vendors, host names, OS, formats, the
//! 80-column table), `inventory mark|states|history`, and `wardwatch allow add|list`.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use wardwatch_e2e::{pcapgen, shared_pcaps, stderr, stdout, wardwatch};

fn inventory_json(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["inventory", "--format", "json"];
    all.extend_from_slice(args);
    let out = wardwatch(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str::<Value>(&stdout(&out))
        .expect("inventory JSON")
        .as_array()
        .expect("a list")
        .clone()
}

fn by_mac(devices: &[Value]) -> BTreeMap<String, Value> {
    devices
        .iter()
        .map(|d| (d["mac"].as_str().unwrap_or("").to_owned(), d.clone()))
        .collect()
}

fn evidence(device: &Value, kind: &str) -> Vec<String> {
    device["evidence"]
        .as_array()
        .expect("evidence list")
        .iter()
        .filter(|e| e["kind"] == kind)
        .map(|e| e["value"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn assert_table_fits(text: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} characters: {line:?}",
            line.chars().count()
        );
    }
}

/// The IoT Sentinel setup captures: the device MACs and signals are listed in
/// `../shared/data/pcaps/README.md`; the registry vendor of each MAC prefix is the IEEE's.
#[test]
fn real_captures_vendors_host_names_and_os_match_their_provenance() {
    let Some(pcaps) = shared_pcaps() else {
        eprintln!("skipped: real captures not present");
        return;
    };
    let dir = pcaps.join("iot-sentinel");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("iot-sentinel folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert_eq!(files.len(), 7, "{files:?}");
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let devices = by_mac(&inventory_json(&args));
    // Every device seen has a registered (globally administered) MAC: its vendor must be the
    // registry's (IEEE MA-L assignee), and nothing unexpected may show up.
    let vendors = [
        ("00:17:88:24:76:ff", "Philips Lighting"),     // Hue bridge
        ("00:24:e4:24:80:2a", "Withings"),             // Withings scale
        ("20:f8:5e:ca:91:52", "Delta Electronics"),    // Fitbit Aria (GainSpan module)
        ("50:c7:bf:00:c7:03", "TP-LINK TECHNOLOGIES"), // HS110 plug
        ("74:da:38:4a:76:49", "Edimax Technology"),    // SP-1101W plug
        ("94:10:3e:35:01:c1", "Belkin International"), // WeMo switch
        ("b0:c5:54:25:5b:0e", "D-Link International"), // DCS-935L camera
        ("38:0b:40:ef:85:41", "Samsung Electronics"),  // setup phone (SM-N7505)
        ("bc:f5:ac:f4:c0:9d", "LG Electronics"),       // setup phone
        ("00:b5:6d:06:08:ba", "David Electronics"),    // access point, one capture
        ("28:b2:bd:c3:41:79", "Intel Corporate"),      // access point, other captures
    ];
    let listed: Vec<&String> = devices.keys().collect();
    let expected: Vec<String> = {
        let mut v: Vec<String> = vendors.iter().map(|(m, _)| (*m).to_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(listed, expected.iter().collect::<Vec<_>>());
    for (mac, vendor) in vendors {
        let got = devices[mac]["vendor"].as_str().unwrap_or("");
        assert!(
            got.starts_with(vendor),
            "{mac}: vendor {got:?}, expected {vendor:?}"
        );
    }
    // Host names the README lists (DHCP option 12).
    for (mac, host) in [
        ("20:f8:5e:ca:91:52", "GainSpanca9152"),
        ("00:17:88:24:76:ff", "Philips-hue"),
        ("50:c7:bf:00:c7:03", "HS110(EU)"),
    ] {
        assert_eq!(devices[mac]["hostname"], host, "{mac}");
        assert_eq!(evidence(&devices[mac], "dhcp_hostname"), vec![host]);
    }
    // D-Link: the README's mDNS name; its DHCP host name is the model.
    let dlink = &devices["b0:c5:54:25:5b:0e"];
    assert_eq!(dlink["hostname"], "DCS-935L");
    assert!(evidence(dlink, "mdns_hostname").contains(&"DCS-935L-B0C554255B0E.local".into()));
    assert!(evidence(dlink, "mdns_service").contains(&"_dhnap._tcp.local".into()));
    // Withings: `Withings00` is DHCP option 60 (vendor class) on the wire, not a host name.
    let withings = &devices["00:24:e4:24:80:2a"];
    assert_eq!(withings["hostname"], Value::Null);
    assert_eq!(evidence(withings, "dhcp_vendor_class"), vec!["Withings00"]);
    assert_eq!(
        evidence(withings, "http_user_agent"),
        vec!["Withings UserAgent"]
    );
    // DHCP vendor classes the README lists, and the OS they imply (BusyBox udhcpc: Linux).
    for (mac, class) in [
        ("74:da:38:4a:76:49", "udhcp 1.15.2"),
        ("00:17:88:24:76:ff", "udhcp 1.19.4"),
        ("50:c7:bf:00:c7:03", "udhcp 0.9.9-pre"),
        ("94:10:3e:35:01:c1", "udhcp 1.22.1"),
    ] {
        assert_eq!(
            evidence(&devices[mac], "dhcp_vendor_class"),
            vec![class],
            "{mac}"
        );
        assert_eq!(devices[mac]["os"], "Linux", "{mac}");
        assert_eq!(devices[mac]["class"], "embedded_linux", "{mac}");
    }
    assert_eq!(
        evidence(&devices["94:10:3e:35:01:c1"], "tls_sni"),
        vec!["api.xbcs.net"]
    );
    // The Android phone used for setup (UA `Dalvik/2.1.0 … SM-N7505`).
    let phone = &devices["38:0b:40:ef:85:41"];
    assert_eq!(phone["os"], "Android");
    assert!(evidence(phone, "http_user_agent")[0].contains("SM-N7505"));
    // The table of the same captures is readable at 80 columns.
    let mut table_args = vec!["inventory"];
    table_args.extend_from_slice(&args);
    let out = wardwatch(&table_args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_table_fits(&stdout(&out));
    assert!(stdout(&out).contains("11 devices"), "{}", stdout(&out));
}

#[test]
fn real_captures_hl7_dhcp_and_netbios_names() {
    let Some(pcaps) = shared_pcaps() else {
        eprintln!("skipped: real captures not present");
        return;
    };
    let path = |p: &str| pcaps.join(p).display().to_string();
    let dhcp = by_mac(&inventory_json(&[&path("zeek/dhcp_dhcp.pcap")]));
    assert_eq!(dhcp["90:b1:1c:99:49:29"]["hostname"], "btest.is.cool");
    assert_eq!(dhcp["90:b1:1c:99:49:29"]["vendor"], "Dell");
    // HL7 over MLLP 10.0.0.155 → 10.0.0.126:6661 (README): both ends sent an MSH.
    let hl7 = by_mac(&inventory_json(&[&path("ndpi/hl7.pcap")]));
    let sender = &hl7["00:0c:29:b5:b6:48"];
    assert_eq!(sender["ips"], serde_json::json!(["10.0.0.155"]));
    assert_eq!(
        evidence(sender, "hl7_sending_app"),
        vec!["SENDING_APPLICATION"]
    );
    assert_eq!(evidence(sender, "hl7_version"), vec!["2.3"]);
    let receiver = &hl7["08:00:27:1d:a6:c2"];
    assert_eq!(receiver["services"], serde_json::json!(["tcp/6661"]));
    let netbios = by_mac(&inventory_json(&[&path("ndpi/netbios.pcap")]));
    assert_eq!(netbios["00:1c:c4:10:79:0f"]["hostname"], "GUNNAR");
    assert_eq!(netbios["ec:a8:6b:f4:60:77"]["hostname"], "GURU");
}

#[test]
fn formats_of_a_generated_capture() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pcap = dir.path().join("ward.pcap");
    pcapgen::write_ward_pcap(&pcap, 200);
    let file = pcap.display().to_string();
    let devices = inventory_json(&[&file]);
    let macs: Vec<&str> = devices.iter().filter_map(|d| d["mac"].as_str()).collect();
    assert_eq!(
        macs,
        (1..=7)
            .map(|i| format!("00:09:fb:00:00:{i:02x}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(devices[0]["ips"], serde_json::json!(["10.20.0.1"]));
    assert_eq!(devices[0]["first_seen"], "2026-01-05T08:00:00.000000Z");
    assert_eq!(devices[0]["state"], "new");
    assert_eq!(devices[0]["vendor"], "Philips Patient Monitoring");
    assert!(
        devices[0]["metrics_device"]
            .as_str()
            .unwrap()
            .starts_with('d')
    );
    let again = wardwatch(&["inventory", "--format", "json", &file]);
    assert_eq!(
        serde_json::to_string(&devices).unwrap(),
        serde_json::to_string(&serde_json::from_slice::<Value>(&again.stdout).unwrap()).unwrap(),
        "deterministic"
    );
    let csv = wardwatch(&["inventory", "--format", "csv", &file]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    let text = stdout(&csv);
    assert!(text.starts_with("mac,ips,vendor,model,"), "{text}");
    assert_eq!(text.matches("\r\n").count(), 8, "header + 7 rows: {text}");
    let table = wardwatch(&["inventory", &file]);
    assert_table_fits(&stdout(&table));
    assert!(
        stdout(&table).ends_with("7 devices · 0 with advisories (0 known exploited) · 7 new\n")
    );
}

#[test]
fn the_demo_ward_table_fits_80_columns() {
    let demo = wardwatch_e2e::repo_root().join("fixtures/demo/ward.pcap");
    let out = wardwatch(&["inventory", &demo.display().to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_table_fits(&text);
    // Every identified device of the demo ward is listed with its model.
    let truth = std::fs::read_to_string(demo.with_file_name("ward.devices.jsonl")).unwrap();
    let models: std::collections::BTreeSet<String> = truth
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|d| d["model"].as_str().map(str::to_owned))
        .collect();
    for model in &models {
        assert!(text.contains(model.as_str()), "{model} missing:\n{text}");
    }
}

#[test]
fn unreadable_inputs_exit_2_and_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = dir.path().join("junk.pcap");
    std::fs::write(&junk, b"not a capture").expect("write");
    let out = wardwatch(&["inventory", &junk.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("FILE {}: cannot open", junk.display())),
        "{}",
        stderr(&out)
    );
    let missing = dir.path().join("missing.pcap").display().to_string();
    let out = wardwatch(&["inventory", &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&missing), "{}", stderr(&out));
    let out = wardwatch(&["inventory", "--format", "yaml", &missing]);
    assert_eq!(out.status.code(), Some(2));
    let out = wardwatch(&["inventory"]);
    assert_eq!(out.status.code(), Some(2));
}

fn state_args<'a>(dir: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--state-dir", dir]);
    all
}

#[test]
fn marked_states_show_in_the_inventory_and_the_trail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pcap = dir.path().join("ward.pcap");
    pcapgen::write_ward_pcap(&pcap, 50);
    let file = pcap.display().to_string();
    let state = dir.path().join("state").display().to_string();
    let mark = |args: &[&str]| wardwatch(&state_args(&state, args));
    let out = mark(&[
        "inventory",
        "mark",
        "00:09:fb:00:00:03",
        "authorized",
        "--reason",
        "bed 3 monitor, asset 1234",
        "--author",
        "biomed",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "00:09:fb:00:00:03: new -> authorized (by biomed: bed 3 monitor, asset 1234)\n"
    );
    let out = mark(&[
        "inventory",
        "mark",
        "10.20.0.5",
        "investigating",
        "--reason",
        "odd traffic",
        "--author",
        "soc",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Errors name the argument and exit 2.
    let out = mark(&[
        "inventory",
        "mark",
        "pump-7",
        "authorized",
        "--reason",
        "x",
        "--author",
        "a",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'<DEVICE>'"), "{}", stderr(&out));
    let out = mark(&[
        "inventory",
        "mark",
        "10.20.0.5",
        "gone",
        "--reason",
        "x",
        "--author",
        "a",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'<STATE>'"), "{}", stderr(&out));
    let out = mark(&[
        "inventory",
        "mark",
        "10.20.0.5",
        "retired",
        "--reason",
        " ",
        "--author",
        "a",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--reason"), "{}", stderr(&out));
    let out = wardwatch(&[
        "inventory",
        "mark",
        "10.20.0.5",
        "retired",
        "--reason",
        "x",
        "--author",
        "a",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--state-dir"), "{}", stderr(&out));

    let devices = by_mac(&inventory_json(&state_args(&state, &[&file])));
    assert_eq!(devices["00:09:fb:00:00:03"]["state"], "authorized");
    assert_eq!(
        devices["00:09:fb:00:00:05"]["state"], "investigating",
        "marked by IP"
    );
    assert_eq!(devices["00:09:fb:00:00:01"]["state"], "new");

    let out = mark(&["inventory", "states"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("00:09:fb:00:00:03  authorized"), "{text}");
    assert!(text.contains("10.20.0.5          investigating"), "{text}");
    assert!(
        text.contains("new -> authorized     biomed: bed 3 monitor, asset 1234"),
        "{text}"
    );
    let out = mark(&["inventory", "history", "10.20.0.5"]);
    let text = stdout(&out);
    assert!(text.starts_with("10.20.0.5: investigating\n"), "{text}");
    assert!(
        text.contains("new -> investigating  soc: odd traffic"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "{text}");
    // The state file is a checksummed envelope; the trail survives a re-read.
    let saved = std::fs::read_to_string(Path::new(&state).join("device-states.state")).unwrap();
    assert!(
        saved.starts_with("wardwatch-envelope 1 device-states "),
        "{saved}"
    );
    assert_eq!(saved.matches("\"reason\"").count(), 2);
}

#[test]
fn allow_add_then_list_round_trips_and_a_bad_file_is_never_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().display().to_string();
    let out = wardwatch(&[
        "allow",
        "add",
        "--reason",
        "vendor telemetry, ticket 4711",
        "--author",
        "j.doe",
        "--device",
        "00:09:fb:12:34:56",
        "--kind",
        "beaconing",
        "--peer",
        "203.0.113.0/24",
        "--port",
        "443",
        "--expires",
        "2999-01-01T00:00:00Z",
        "--state-dir",
        &state,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = dir.path().join("allowlist.toml");
    let out = wardwatch(&[
        "allow",
        "add",
        "--reason",
        "retired scanner",
        "--author",
        "soc",
        "--model",
        "bd-alaris-pcu-8015",
        "--expires",
        "90d",
        "--file",
        &file.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("added entry 2 (model bd-alaris-pcu-8015)"));
    let out = wardwatch(&[
        "allow",
        "list",
        "--state-dir",
        &state,
        "--at",
        "2026-01-05T08:00:00Z",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("#1  device 00:09:fb:12:34:56, kind beaconing, peer 203.0.113.0/24, port 443\n    reason: vendor telemetry, ticket 4711\n    author: j.doe  created "),
        "{text}"
    );
    assert!(
        text.contains("expires 2999-01-01T00:00:00.000000Z"),
        "{text}"
    );
    assert!(text.contains("2 entries, 0 expired"), "{text}");
    let out = wardwatch(&[
        "allow",
        "list",
        "--state-dir",
        &state,
        "--at",
        "3000-01-01T00:00:00Z",
    ]);
    assert!(
        stdout(&out).contains("#1  EXPIRED  device"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("2 entries, 2 expired"),
        "{}",
        stdout(&out)
    );

    // A malformed file: add refuses, names the entry, and leaves the bytes alone.
    let mut bad = std::fs::read_to_string(&file).unwrap();
    bad.push_str("\n[[allow]]\nport = 70000\nreason = \"x\"\nauthor = \"y\"\ncreated = \"2026-01-05T08:00:00Z\"\n");
    std::fs::write(&file, &bad).unwrap();
    let out = wardwatch(&[
        "allow",
        "add",
        "--reason",
        "r",
        "--author",
        "a",
        "--port",
        "22",
        "--state-dir",
        &state,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("allow-list entry 3"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("70000 is not a port"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        bad,
        "never overwritten"
    );
    let out = wardwatch(&["allow", "list", "--state-dir", &state]);
    assert_eq!(out.status.code(), Some(2));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("wwtmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Bad arguments name the flag.
    let out = wardwatch(&[
        "allow", "add", "--reason", "r", "--author", "a", "--kind", "scan", "--file", "x.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--kind: \"scan\" is not an alert kind"),
        "{}",
        stderr(&out)
    );
}
