#!/usr/bin/env python3
"""The web page in a real browser: Debian's Chromium, headless, driven by chromium-driver through
python3-selenium. It opens the page of `embtool serve` on the bundled model, types a word,
checks that completion offers words, presses Enter, and finds the word's neighbours (those of
`embtool neighbors WORD --json`) in the table and as labels on the map; then solves
king + woman - man. A screenshot is kept as the test's artifact.

    browser_test.py --embtool build/embtool --model data/model.bin --artifacts build/tests/artifacts
Exits 77 (skipped) where Chromium, chromedriver or selenium is missing.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from serve_test import Server  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--embtool", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--word", default="king")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        print("skipped: python3-selenium is not installed")
        return 77
    if chromium is None or driver is None:
        print("skipped: chromium or chromedriver is not installed (apt-get install chromium chromium-driver)")
        return 77
    expected = json.loads(subprocess.run([args.embtool, "-m", args.model, "--json", "neighbors", args.word],
                                         check=True, capture_output=True).stdout)
    neighbours = [r["word"] for r in expected["results"]]
    failures = []
    server = Server(args.embtool, ["-m", args.model])
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1300"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        browser.get(f"http://{server.host}:{server.port}/")
        wait = WebDriverWait(browser, 20)
        wait.until(lambda b: "words" in b.find_element(By.ID, "facts").text)
        box = browser.find_element(By.ID, "word")
        box.send_keys(args.word[:2])
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#completions li")))
        offered = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#completions li")]
        if not offered or not all(w.startswith(args.word[:2]) for w in offered):
            failures.append(f"completion of {args.word[:2]!r} offers {offered}")
        box.send_keys(args.word[2:])
        box.send_keys(Keys.ESCAPE)
        box.send_keys(Keys.ENTER)
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#neighbors tbody tr")))
        table = [row.find_elements(By.TAG_NAME, "td")[1].text
                 for row in browser.find_elements(By.CSS_SELECTOR, "#neighbors tbody tr")]
        if table != neighbours:
            failures.append(f"the table shows {table}, embtool neighbors gives {neighbours}")
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#map svg text")))
        labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#map svg text")]
        if labels[:1] != [args.word] or sorted(labels[1:]) != sorted(neighbours):
            failures.append(f"the map labels {labels}, expected {args.word} and {neighbours}")
        overlapping = browser.execute_script("""
            const boxes = [...document.querySelectorAll('#map svg text')].map((t) => [t.textContent, t.getBoundingClientRect()]);
            const hits = [];
            boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
              if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) hits.push(a + ' / ' + b);
            }));
            return hits;""")
        if overlapping:
            failures.append(f"map labels overlap: {overlapping}")
        browser.find_element(By.CSS_SELECTOR, "#analogy-form button").click()
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#analogy-answers li")))
        first = browser.find_element(By.CSS_SELECTOR, "#analogy-answers li").text
        if not first.startswith("queen"):
            failures.append(f"king + woman - man gives {first!r} on the page")
        logs = [entry for entry in browser.get_log("browser") if entry.get("level") == "SEVERE"]
        if logs:
            failures.append(f"the page logged errors: {logs}")
        artifacts = pathlib.Path(args.artifacts)
        artifacts.mkdir(parents=True, exist_ok=True)
        shot = artifacts / "serve_page.png"
        browser.save_screenshot(str(shot))
        print(f"screenshot: {shot}")
    finally:
        browser.quit()
        server.stop()
    for failure in failures:
        print("FAIL:", failure)
    if failures:
        return 1
    print("browser: completion, neighbours (table and map) and the analogy on the page: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
