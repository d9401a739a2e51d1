-- Drives the genls Neovim plugin's commands in a real headless Neovim against the real server:
-- waits for the workspace index, runs :GenlsSearch (quickfix), :GenlsIndex (summary message,
-- $/progress in the status line) and :GenlsDoctor (scratch buffer), and the commands without a
-- server or without the binary.
--
-- Usage (-S, not -l: the main loop must run for LSP answers and vim.system callbacks):
--   GENLS_TEST_FILE=<workspace>/geometry.py GENLS_TEST_PYTHON=<python> \
--   GENLS_TEST_REPORT=<out.json> GENLS_TEST_MODEL=smollm2-135m \
--   GENLS_TEST_PLUGIN=<repo>/editors/nvim GENLS_TEST_QUERY="circle area" \
--     nvim --headless --clean -u NONE -S tests/nvim_plugin/commands.lua
--
-- Writes a JSON report; exits non-zero (reason in report.errors and on stderr) on any error.

local harness = dofile(vim.fs.joinpath(
  vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "harness.lua"))

local ATTACH_TIMEOUT_MS = 30000
local INDEX_TIMEOUT_MS = 45000
local STEP_TIMEOUT_MS = 20000

local t = harness.new({ name = "commands.lua", total_timeout_ms = 100000 })
local file, python, model, plugin_dir = t.file, t.python, t.model, t.plugin_dir
local query = vim.env.GENLS_TEST_QUERY or "circle area"
local report, notifications = t.report, t.notifications
local finish, step, wait_for = t.finish, t.step, t.wait_for

--- The first notification after index `from` whose message matches `pattern`.
local function notification(pattern, from)
  for i = (from or 0) + 1, #notifications do
    local n = notifications[i]
    if type(n.message) == "string" and n.message:match(pattern) then
      return n
    end
  end
  return nil
end

local function run()
  vim.opt.rtp:prepend(plugin_dir)
  local genls = require("genls")
  local lsp = require("genls.lsp")
  t.capture_notifications()

  genls.setup({
    cmd = { python, "-m", "genls", "serve" },
    settings = { model = model },
    ghost_text = "off", -- no completions: this run is about the index and the commands
  })

  -- After the plugin's own LspProgress handler (registered in setup), so the status line
  -- already shows the event.
  report.progress = {}
  vim.api.nvim_create_autocmd("LspProgress", {
    callback = function(args)
      local value = args.data.params.value or {}
      table.insert(report.progress, {
        kind = value.kind,
        title = value.title,
        message = value.message,
        statusline = genls.statusline(),
      })
    end,
  })

  vim.cmd.edit(vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()

  step("commands without a server")
  -- -u NONE: no filetype yet, so no client is attached.
  local mark = #notifications
  vim.cmd("GenlsSearch " .. query)
  vim.cmd("GenlsIndex")
  report.without_server = vim.list_slice(notifications, mark + 1)

  step("attach")
  vim.bo[bufnr].filetype = "python"
  local client = wait_for(function()
    return lsp.client(bufnr)
  end, ATTACH_TIMEOUT_MS, "the genls client did not attach")
  report.root_dir = client.root_dir or client.config.root_dir

  step("index ready")
  local status
  local asking = false
  wait_for(function()
    if status and status.index and status.index ~= vim.NIL and status.index.ready
      and not status.index.indexing then
      return true
    end
    if not asking then
      asking = true
      lsp.exec_cmd(client, { title = "status", command = "genls.status", arguments = {} },
        bufnr, function(err, result)
          asking = false
          status = not err and result or nil
        end)
    end
    return false
  end, INDEX_TIMEOUT_MS, "the workspace index never became ready")
  report.index_status = status.index
  report.statusline_ready = genls.statusline()

  step("GenlsSearch")
  vim.cmd("GenlsSearch " .. query)
  local qf = wait_for(function()
    local list = vim.fn.getqflist({ title = 1, items = 1, winid = 1 })
    return #list.items > 0 and list or nil
  end, STEP_TIMEOUT_MS, ":GenlsSearch filled no quickfix list")
  report.quickfix = { title = qf.title, window_open = qf.winid ~= 0, items = {} }
  for _, item in ipairs(qf.items) do
    table.insert(report.quickfix.items, {
      filename = vim.api.nvim_buf_get_name(item.bufnr),
      lnum = item.lnum,
      text = item.text,
    })
  end
  vim.cmd("cclose")

  step("GenlsIndex")
  mark = #notifications
  local progress_before = #report.progress
  vim.cmd("GenlsIndex")
  local done = wait_for(function()
    return notification("^genls: indexed", mark) or notification("fail", mark)
      or notification("nothing indexed", mark)
  end, INDEX_TIMEOUT_MS, ":GenlsIndex reported nothing")
  report.index_message = done.message
  report.index_level = done.level
  report.index_progress = vim.list_slice(report.progress, progress_before + 1)
  report.statusline_after_index = genls.statusline()

  step("GenlsDoctor")
  local windows = #vim.api.nvim_list_wins()
  vim.cmd("GenlsDoctor")
  local doctor_buf = vim.api.nvim_get_current_buf()
  wait_for(function()
    local text = table.concat(vim.api.nvim_buf_get_lines(doctor_buf, 0, -1, false), "\n")
    return text:match("checks") ~= nil or text:match("exited with code") ~= nil
      or text:match("could not run") ~= nil
  end, STEP_TIMEOUT_MS, ":GenlsDoctor showed no result")
  report.doctor = {
    name = vim.api.nvim_buf_get_name(doctor_buf),
    buftype = vim.bo[doctor_buf].buftype,
    filetype = vim.bo[doctor_buf].filetype,
    modifiable = vim.bo[doctor_buf].modifiable,
    new_window = #vim.api.nvim_list_wins() == windows + 1,
    lines = vim.api.nvim_buf_get_lines(doctor_buf, 0, -1, false),
  }
  vim.cmd("close")

  step("GenlsDoctor without the binary")
  local cmd = genls.config.cmd
  genls.config.cmd = { "/nonexistent/genls-missing", "serve" }
  mark = #notifications
  vim.cmd("GenlsDoctor")
  genls.config.cmd = cmd
  report.doctor_missing = vim.list_slice(notifications, mark + 1)

  finish(0)
end

t.start(run)
