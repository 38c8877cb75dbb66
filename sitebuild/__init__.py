"""What turns the content into a published site: notebooks executed once (cached by their inputs,
sharded, within limits, outputs made safe and reproducible), build caches, the HTML checks of the built
pages, and the staged publish that keeps the last good site."""
