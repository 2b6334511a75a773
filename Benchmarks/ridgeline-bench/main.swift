do {
    try benchStepModel()
    try benchPlan()
} catch {
    print("ridgeline-bench: \(error)")
}
