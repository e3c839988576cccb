"use client";
/** Sets data-hydrated on <html> once React runs in the browser, so browser tests click only when handlers are attached. */
import { useEffect } from "react";

export function HydrationMarker() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return null;
}
