do {
    try benchStepModel()
} catch {
    print("ridgeline-bench: \(error)")
}
