import Ridgeline
