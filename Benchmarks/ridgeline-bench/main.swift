print("ridgeline-bench: nothing yet")
