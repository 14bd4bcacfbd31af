import Foundation

// Entry point: see Rapport.swift for the commands.
await Rapport.mainWithStoreHoisting()
