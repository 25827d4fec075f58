namespace WebHost;

/// <summary>The one style sheet and the one script (the right-click menu only), served from the host so the pages need no inline code.</summary>
internal static class Assets
{
    public const string Css = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fff; }
        header nav { display: flex; gap: 1em; align-items: center; padding: .5em 1em; background: #0b3d62; color: #fff; }
        header nav a, header nav .who { color: #fff; }
        header nav button { background: #fff; color: #0b3d62; border: 1px solid #fff; }
        main { padding: 1em 2em; max-width: 80em; }
        form.inline { display: inline; }
        table { border-collapse: collapse; margin: 1em 0; }
        caption { text-align: left; font-weight: bold; padding: .3em 0; }
        th, td { border-bottom: 1px solid #bbb; padding: .3em .6em; text-align: left; vertical-align: top; }
        tr.folder:focus { outline: 2px solid #0b3d62; }
        .depth-1 { padding-left: 1.5em; } .depth-2 { padding-left: 3em; } .depth-3 { padding-left: 4.5em; }
        .depth-4 { padding-left: 6em; } .depth-5 { padding-left: 7.5em; } .depth-6 { padding-left: 9em; }
        .tabs ul { list-style: none; display: flex; gap: .3em; padding: 0; border-bottom: 2px solid #0b3d62; }
        .tabs a { display: inline-block; padding: .4em 1em; border: 1px solid #0b3d62; border-bottom: none; text-decoration: none; color: #0b3d62; }
        section.tab { border: 1px solid #ccc; padding: .5em 1em; margin-bottom: 1em; }
        .field { margin: .6em 0; }
        .field label, .field .label { font-weight: 600; display: inline-block; margin-right: .5em; }
        .field input:not([type=checkbox]), .field select { display: block; min-width: 24em; padding: .25em; }
        .help { display: block; color: #444; }
        .field-error, .error { color: #a00000; font-weight: 600; }
        .notice { background: #eef5fb; padding: .5em; }
        .required { color: #a00000; }
        .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        .test.ok { border-left: 4px solid #0a6b2d; padding-left: 1em; } .test.failed { border-left: 4px solid #a00000; padding-left: 1em; }
        .menu { position: absolute; background: #fff; border: 1px solid #333; box-shadow: 2px 2px 6px #0004; padding: .2em 0; min-width: 16em; z-index: 10; }
        .menu form, .menu div { margin: 0; }
        .menu button { display: block; width: 100%; text-align: left; border: none; background: none; padding: .3em 1em; font: inherit; color: #1b1b1b; }
        .menu button:focus, .menu button:hover { background: #0b3d62; color: #fff; }
        .menu button[disabled] { color: #595959; }
        .tag { background: #e6e6e6; padding: 0 .4em; border-radius: .3em; font-size: .9em; }
        iframe#body { width: 100%; height: 24em; border: 1px solid #888; }
        a.button { display: inline-block; padding: .3em .8em; border: 1px solid #0b3d62; text-decoration: none; }
        """;

    // The folder tree's menu: right-click, the menu key or Shift+F10 on a row (or its Commands button) opens the row's menu;
    // arrows move, Escape closes and returns focus. Nothing else on the pages needs script.
    public const string Script = """
        (function () {
          let open = null, opener = null;
          function items(menu) { return Array.from(menu.querySelectorAll('[role=menuitem]')); }
          function close() {
            if (!open) return;
            open.hidden = true;
            document.querySelectorAll('[aria-controls="' + open.id + '"]').forEach(b => b.setAttribute('aria-expanded', 'false'));
            open = null;
            if (opener) opener.focus();
          }
          function show(id, x, y, from) {
            close();
            const menu = document.getElementById(id);
            if (!menu) return;
            opener = from;
            menu.hidden = false;
            menu.style.left = (x + window.scrollX) + 'px';
            menu.style.top = (y + window.scrollY) + 'px';
            document.querySelectorAll('[aria-controls="' + id + '"]').forEach(b => b.setAttribute('aria-expanded', 'true'));
            open = menu;
            const first = items(menu).find(i => !i.disabled) || items(menu)[0];
            if (first) first.focus();
          }
          function at(el) { const r = el.getBoundingClientRect(); return [r.left + 20, r.bottom]; }
          document.addEventListener('contextmenu', e => {
            const row = e.target.closest('tr[data-menu]');
            if (!row || !row.dataset.menu) return;
            e.preventDefault();
            show(row.dataset.menu, e.clientX, e.clientY, row);
          });
          document.addEventListener('click', e => {
            const button = e.target.closest('button[data-menu]');
            if (button) { const [x, y] = at(button); show(button.dataset.menu, x, y, button); return; }
            if (open && !open.contains(e.target)) close();
          });
          document.addEventListener('keydown', e => {
            if (open) {
              const list = items(open).filter(i => !i.disabled), i = list.indexOf(document.activeElement);
              if (e.key === 'Escape') { e.preventDefault(); close(); }
              else if (e.key === 'ArrowDown') { e.preventDefault(); (list[i + 1] || list[0]).focus(); }
              else if (e.key === 'ArrowUp') { e.preventDefault(); (list[i - 1] || list[list.length - 1]).focus(); }
              else if (e.key === 'Tab') { close(); }
              return;
            }
            if (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) {
              const row = document.activeElement && document.activeElement.closest('tr[data-menu]');
              if (!row || !row.dataset.menu) return;
              e.preventDefault();
              const [x, y] = at(row);
              show(row.dataset.menu, x, y, row);
            }
          });
        })();
        """;
}
