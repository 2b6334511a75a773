print("ridgeline")
