// RapportTUI
