use super::*;

const FIXTURE: &[u8] = include_bytes!("../../../../fixtures/assess/infusafe-300.mds2.csv");

#[test]
fn fixture_answers_and_port_list() {
    let form = parse("pump.csv", Mds2Format::Csv, FIXTURE).unwrap();
    assert_eq!(form.answers.len(), 69);
    assert_eq!(form.answer("AUTH-1"), Answer::Yes);
    assert_eq!(form.answer("PAUT-1"), Answer::No);
    assert_eq!(form.answer("TXCF-2"), Answer::Unanswered);
    assert_eq!(form.answer("RDMP-4"), Answer::Missing);
    assert_eq!(form.answer("DOC-3"), Answer::Other("InfuSafe 300".into()));
    assert_eq!(form.answers["CONN-7"].row, 57);
    let ports: Vec<String> = form
        .port_rules
        .iter()
        .map(|r| {
            format!(
                "{:?}/{:?} {:?} {:?}",
                r.transport,
                r.ports.map(|p| p.first),
                r.direction,
                r.peer
            )
        })
        .collect();
    assert_eq!(
        ports,
        [
            "Tcp/Some(443) ToDevice Internal",
            "Tcp/Some(8443) FromDevice Internal",
            "Tcp/Some(443) FromDevice External",
            "Udp/Some(123) FromDevice Internal",
            "Udp/Some(53) FromDevice Internal",
            "Tcp/Some(22) ToDevice Internal",
        ]
    );
}

#[test]
fn answers_normalise() {
    for (cell, answer) in [
        ("Yes", Answer::Yes),
        ("yes, optional", Answer::Yes),
        ("Y", Answer::Yes),
        (" No: none", Answer::No),
        ("N/A: no default accounts", Answer::NotApplicable),
        ("Not applicable", Answer::NotApplicable),
        ("", Answer::Unanswered),
        ("See note", Answer::Other("See note".into())),
        ("Nothing", Answer::Other("Nothing".into())),
    ] {
        assert_eq!(Answer::from_cell(cell), answer, "{cell:?}");
    }
}

#[test]
fn header_variants_and_typo_alias() {
    let csv = b"Form,,\nQuestion ID,Question,Yes/No/N/A,Notes\nSHAD-15,Boot protection,Yes,\nAUTH-1,Login,No,\n";
    let form = parse("v.csv", Mds2Format::Csv, csv).unwrap();
    assert_eq!(form.answer("SAHD-15"), Answer::Yes);
    assert_eq!(form.answer("AUTH-1"), Answer::No);
}

#[test]
fn malformed_forms_name_the_file_and_cell() {
    let e = parse("x.csv", Mds2Format::Csv, b"a,b\n1,2\n").unwrap_err();
    assert_eq!((e.file.as_str(), e.field.as_str()), ("x.csv", "(header)"));
    let e = parse(
        "x.csv",
        Mds2Format::Csv,
        b"ID,Answer\nAUTH-1,Yes\nAUTH-1,No\n",
    )
    .unwrap_err();
    assert_eq!(e.field, "row 3 answer");
    assert!(
        e.message.contains("answered No here and Yes in row 2"),
        "{}",
        e.message
    );
    let e = parse(
        "x.csv",
        Mds2Format::Csv,
        b"ID,Answer,Note\nCONN-2,Yes,tcp/70000 from-device\n",
    )
    .unwrap_err();
    assert_eq!(e.field, "row 2 note (CONN-2 port list)");
    let e = parse("x.csv", Mds2Format::Csv, b"ID,Answer\nsection,\n").unwrap_err();
    assert_eq!(e.field, "row 1 ID column");
    let e = parse("x.xlsx", Mds2Format::Xlsx, b"not a zip").unwrap_err();
    assert_eq!(e.field, "(workbook)");
}
