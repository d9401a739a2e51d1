-- The harness the headless plugin scripts (ghost_text.lua, commands.lua) share: the
-- GENLS_TEST_* environment, the JSON report, finish/fail, a watchdog over the whole run, and
-- wait_for, which yields the test coroutine to Neovim's main loop until a condition holds.
--
-- Load it from a script sourced with -S (the path is the script's own folder, so any cwd works):
--   local harness = dofile(vim.fs.joinpath(
--     vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "harness.lua"))
--   local t = harness.new({ name = "my_script.lua", total_timeout_ms = 100000 })
--   t.start(function() ... t.finish(0) end)

local M = {}

--- A fresh harness. `opts.name` prefixes the messages on stderr; `opts.total_timeout_ms`
--- bounds the whole run (a hang anywhere still ends it with a clear message).
--- Exits with code 2 if GENLS_TEST_FILE, GENLS_TEST_PYTHON or GENLS_TEST_REPORT is unset.
function M.new(opts)
  local name, total_timeout_ms = opts.name, opts.total_timeout_ms
  local env = vim.env
  local t = {
    file = env.GENLS_TEST_FILE,
    python = env.GENLS_TEST_PYTHON,
    output = env.GENLS_TEST_REPORT,
    model = env.GENLS_TEST_MODEL or "smollm2-135m",
    plugin_dir = env.GENLS_TEST_PLUGIN or "editors/nvim",
    -- Written as JSON when the run ends; the scripts add their own fields.
    report = { errors = {}, steps = {} },
    -- vim.notify calls (server messages included), once a script records them there: steps
    -- read them, a timeout names the last one, and the report carries them all.
    notifications = {},
  }
  if not (t.file and t.python and t.output) then
    io.stderr:write(name .. ": set GENLS_TEST_FILE, GENLS_TEST_PYTHON, GENLS_TEST_REPORT\n")
    vim.cmd("cquit 2")
  end
  local report, notifications = t.report, t.notifications
  local finished = false

  local function write_report()
    local fd = assert(io.open(t.output, "w"))
    fd:write(vim.json.encode(report))
    fd:close()
  end

  --- Stops the genls clients, writes the report and quits Neovim with `code` (once).
  function t.finish(code)
    if finished then
      return
    end
    finished = true
    for _, client in ipairs(vim.lsp.get_clients({ name = "genls" })) do
      client:stop()
    end
    -- Let the server exit cleanly instead of being killed with the editor.
    report.server_stopped = vim.wait(10000, function()
      return #vim.lsp.get_clients({ name = "genls" }) == 0
    end, 50)
    report.notifications = notifications
    write_report()
    vim.cmd(code == 0 and "qa!" or ("cquit " .. code))
  end

  --- Records `message` as an error, ends the run with code 1, and raises.
  function t.fail(message)
    io.stderr:write(name .. ": " .. message .. "\n")
    table.insert(report.errors, message)
    t.finish(1)
    error(message) -- unwinds the test coroutine
  end

  local watchdog = vim.uv.new_timer()
  watchdog:start(total_timeout_ms, 0, vim.schedule_wrap(function()
    pcall(t.fail, ("timeout: the whole run took over %d ms (last step: %s)"):format(
      total_timeout_ms, report.steps[#report.steps] or "none"))
  end))

  function t.step(step_name)
    table.insert(report.steps, step_name)
  end

  --- Yields to the main loop (so keys, autocmds and LSP answers get processed) until `cond`
  --- returns a truthy value, which it returns; fails with `what` after `timeout_ms`.
  function t.wait_for(cond, timeout_ms, what)
    local co = assert(coroutine.running())
    local started = vim.uv.now()
    local timer = vim.uv.new_timer()
    local done = false
    timer:start(10, 20, vim.schedule_wrap(function()
      if done then
        return
      end
      local ok, value = pcall(cond)
      if (ok and value) or vim.uv.now() - started > timeout_ms then
        done = true
        timer:stop()
        timer:close()
        coroutine.resume(co, ok and value or nil)
      end
    end))
    local value = coroutine.yield()
    if not value then
      local last = notifications[#notifications]
      t.fail(("timeout: %s (waited %d ms)%s"):format(what, timeout_ms,
        last and ("; last message: " .. tostring(last.message)) or ""))
    end
    return value
  end

  --- Records vim.notify calls (server messages included) in t.notifications.
  function t.capture_notifications()
    vim.notify = function(message, level)
      table.insert(notifications, { message = message, level = level })
    end
  end

  --- Keys as if typed; mappings apply (so <Tab> reaches the plugin's mapping).
  function t.type_keys(keys)
    vim.api.nvim_feedkeys(vim.keycode(keys), "mt", false)
  end

  --- The cursor's line in `bufnr` (the current window's cursor).
  function t.line(bufnr)
    local row = vim.api.nvim_win_get_cursor(0)[1]
    return vim.api.nvim_buf_get_lines(bufnr or 0, row - 1, row, true)[1]
  end

  --- Waits for Neovim 0.12's built-in ghost text in `bufnr` and returns its text.
  function t.builtin_ghost_text(bufnr, timeout_ms, what)
    local namespace = vim.api.nvim_create_namespace("nvim.lsp.inline_completion")
    local mark = t.wait_for(function()
      local marks = vim.api.nvim_buf_get_extmarks(bufnr, namespace, 0, -1, { details = true })
      return marks[1] and marks[1][4].virt_text and marks[1]
    end, timeout_ms, what or "no built-in ghost text appeared")
    local chunks = {}
    for _, chunk in ipairs(mark[4].virt_text) do
      table.insert(chunks, chunk[1])
    end
    return table.concat(chunks)
  end

  --- Types `keys` in normal mode to move the cursor (no edit), waits until the server has
  --- prefilled the prompt where it rests (genls.status lastPrewarm), and records both.
  function t.rest_cursor(client, bufnr, keys, timeout_ms)
    local lsp = require("genls.lsp")
    local row_before = vim.api.nvim_win_get_cursor(0)[1]
    t.type_keys(keys)
    t.wait_for(function()
      return vim.api.nvim_win_get_cursor(0)[1] ~= row_before
    end, timeout_ms, keys .. " did not move the cursor")
    local row, col = unpack(vim.api.nvim_win_get_cursor(0))
    report.rest_offset = vim.fn.line2byte(row) - 1 + col
    local asking, prewarm = false, nil
    t.wait_for(function()
      if not asking then
        asking = true
        lsp.request(client, "workspace/executeCommand", { command = "genls.status" },
          function(_, status)
            asking = false
            prewarm = status and status.lastPrewarm
          end, bufnr)
      end
      return type(prewarm) == "table" and prewarm.offset == report.rest_offset
    end, timeout_ms, "the server never prefilled where the cursor rested")
    report.prewarm = prewarm
  end

  --- Runs `run` in the test coroutine once Neovim is in its main loop (which -S sourcing
  --- precedes); a Lua error in it fails the run with its traceback.
  function t.start(run)
    local co = coroutine.create(function()
      local ok, err = xpcall(run, debug.traceback)
      if not ok and not finished then
        pcall(t.fail, "Lua error: " .. tostring(err))
      end
    end)
    vim.schedule(function()
      coroutine.resume(co)
    end)
  end

  return t
end

return M
