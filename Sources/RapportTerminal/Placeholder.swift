// RapportTerminal
