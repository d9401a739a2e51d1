-- Next-edit suggestions in the genls plugin, against the real server: renaming a name by hand
-- with normal-mode keys makes the plugin ask genls/nextEdit and preview the next use; <Tab>
-- applies it (one undo step) and runs genls.acceptedNextEdit, after which the use after it is
-- previewed and <Esc> dismisses that; in a long function the next use is far, so a jump hint
-- shows, <Tab> moves there and previews it, and a second <Tab> applies it. Last, an inline
-- completion that replaces text (genls's next edit near the cursor) shows no ghost text, and
-- <Tab> in insert mode takes the previewed edit as an undo step of its own.
--
-- Usage: as ghost_text.lua, with GENLS_TEST_FILE the near case's file, GENLS_TEST_JUMP_FILE
-- the far case's and GENLS_TEST_GHOST_FILE the last one's (tests/test_nvim_plugin.py writes
-- them). Every wait is on an event: the
-- plugin's User GenlsNextEditShown, a changed buffer, an answered command.

local harness = dofile(vim.fs.joinpath(
  vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "harness.lua"))

local TIMEOUT_MS = 60000

local t = harness.new({ name = "next_edit.lua", total_timeout_ms = 150000 })
local report, step, wait_for = t.report, t.step, t.wait_for
local type_keys = t.type_keys

local function lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, true)
end

local function cursor()
  local pos = vim.api.nvim_win_get_cursor(0)
  return { row = pos[1], col = pos[2] }
end

--- The plugin's next-edit extmarks in `bufnr`, as plain data (with the text a mark covers).
local function marks(bufnr, ns)
  local found = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })) do
    local row, col, details = mark[2], mark[3], mark[4]
    local entry = { row = row, col = col, hl_group = details.hl_group }
    if details.end_row then
      entry.end_row, entry.end_col = details.end_row, details.end_col
      entry.covered = table.concat(
        vim.api.nvim_buf_get_text(bufnr, row, col, details.end_row, details.end_col, {}), "\n")
    end
    if details.virt_text then
      local chunks = {}
      for _, chunk in ipairs(details.virt_text) do
        table.insert(chunks, chunk[1])
        entry.virt_text_hl = chunk[2]
      end
      entry.virt_text = table.concat(chunks)
    end
    if details.virt_lines then
      entry.virt_lines, entry.virt_lines_hl = {}, {}
      for _, virt_line in ipairs(details.virt_lines) do
        local chunks = {}
        for _, chunk in ipairs(virt_line) do
          table.insert(chunks, chunk[1])
          table.insert(entry.virt_lines_hl, chunk[2])
        end
        table.insert(entry.virt_lines, table.concat(chunks))
      end
    end
    table.insert(found, entry)
  end
  return found
end

local function run()
  vim.opt.rtp:prepend(t.plugin_dir)
  t.capture_notifications()
  local genls = require("genls")
  local lsp = require("genls.lsp")
  local next_edit = require("genls.next_edit")

  -- A counting wrapper, not a stand-in: every command still goes to the real server.
  local commands = {}
  local exec_cmd = lsp.exec_cmd
  lsp.exec_cmd = function(client, command, bufnr, handler)
    local record = { command = command.command, arguments = command.arguments }
    table.insert(commands, record)
    return exec_cmd(client, command, bufnr, function(err, result, ...)
      record.answered, record.error = true, err and (err.message or tostring(err)) or nil
      if handler then
        return handler(err, result, ...)
      end
    end)
  end
  local function answered(name, count)
    local n = 0
    for _, record in ipairs(commands) do
      if record.command == name and record.answered then
        n = n + 1
      end
    end
    return n >= count
  end

  -- What the plugin announces, as it announces it.
  local events = {}
  vim.api.nvim_create_autocmd("User", {
    pattern = next_edit.EVENT,
    callback = function(args)
      table.insert(events, vim.deepcopy(args.data))
    end,
  })
  local function next_event(bufnr, after)
    return wait_for(function()
      for i = after + 1, #events do
        if events[i].buf == bufnr then
          return i
        end
      end
    end, TIMEOUT_MS, "no " .. next_edit.EVENT .. " in buffer " .. bufnr)
  end

  -- The server's raw answers to textDocument/inlineCompletion, recorded once the ghost text
  -- renderer (the plugin's, or the built-in one behind the plugin's filter) has handled them.
  -- Defined before the plugin's own LspAttach, so this wrapper sits under its filter.
  local inline_answers = {}
  vim.api.nvim_create_autocmd("LspAttach", {
    callback = function(args)
      local attached = vim.lsp.get_client_by_id(args.data.client_id)
      if not attached or attached.name ~= "genls" or attached._test_recorded then
        return
      end
      attached._test_recorded = true
      local request = attached.request
      attached.request = function(self, method, params, handler, ...)
        if method == "textDocument/inlineCompletion" and type(handler) == "function" then
          local inner = handler
          handler = function(err, result, ...)
            local raw = vim.deepcopy(result)
            local value = inner(err, result, ...)
            table.insert(inline_answers, { position = params.position, result = raw })
            return value
          end
        end
        return request(self, method, params, handler, ...)
      end
    end,
  })

  -- In the report as they grow, so a failed wait shows what did arrive.
  report.inline_answers, report.events = inline_answers, events

  local settings = { model = t.model, nextEditModel = t.model, index = false, threads = 1 }
  genls.setup({ cmd = { t.python, "-m", "genls", "serve" }, settings = settings })
  report.ghost_mode = genls.ghost_mode()

  step("attach")
  vim.cmd.edit(vim.fn.fnameescape(t.file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python" -- -u NONE: no filetype detection
  local client = wait_for(function()
    return lsp.client(bufnr)
  end, TIMEOUT_MS, "the genls client did not attach")
  report.uri = vim.uri_from_bufnr(bufnr)

  step("rename by hand")
  type_keys("2G^cwtotal<Esc>")
  local seen = next_event(bufnr, 0)
  report.preview = {
    event = events[seen],
    marks = marks(bufnr, next_edit.ns),
    lines = lines(bufnr),
    visible = next_edit.visible(bufnr),
    mode = vim.api.nvim_get_mode().mode,
  }

  step("accept")
  local before_tab = lines(bufnr)
  report.before_tab = before_tab
  type_keys("<Tab>")
  wait_for(function()
    return not vim.deep_equal(lines(bufnr), before_tab)
  end, TIMEOUT_MS, "<Tab> did not apply the previewed next edit")
  report.after_tab = { lines = lines(bufnr), cursor = cursor(), visible = next_edit.visible(bufnr) }
  wait_for(function()
    return answered("genls.acceptedNextEdit", 1)
  end, TIMEOUT_MS, "genls.acceptedNextEdit was not run or not answered")

  step("the next use")
  -- The accepted edit is an edit too: after the pause the plugin asks again.
  seen = next_event(bufnr, seen)
  report.chained = { event = events[seen], marks = marks(bufnr, next_edit.ns) }
  type_keys("<Esc>")
  wait_for(function()
    return not next_edit.visible(bufnr)
  end, TIMEOUT_MS, "<Esc> did not dismiss the next edit")
  report.after_esc = { marks = marks(bufnr, next_edit.ns), lines = lines(bufnr) }

  step("undo")
  type_keys("u")
  wait_for(function()
    return not vim.deep_equal(lines(bufnr), report.after_tab.lines)
  end, TIMEOUT_MS, "u did not undo")
  report.after_undo = lines(bufnr)

  step("jump")
  vim.cmd.edit(vim.fn.fnameescape(vim.env.GENLS_TEST_JUMP_FILE))
  local far = vim.api.nvim_get_current_buf()
  vim.bo[far].filetype = "python"
  wait_for(function()
    return lsp.client(far)
  end, TIMEOUT_MS, "the genls client did not attach to the second file")
  report.far_before = lines(far)
  type_keys("2G^cwtotal<Esc>")
  seen = next_event(far, #events)
  report.jump = { event = events[seen], marks = marks(far, next_edit.ns), cursor = cursor() }

  step("jump: tab moves")
  type_keys("<Tab>")
  seen = next_event(far, seen)
  report.jumped = {
    event = events[seen],
    marks = marks(far, next_edit.ns),
    cursor = cursor(),
    lines = lines(far),
  }

  step("jump: tab applies")
  local before = lines(far)
  type_keys("<Tab>")
  wait_for(function()
    return not vim.deep_equal(lines(far), before)
  end, TIMEOUT_MS, "the second <Tab> did not apply the next edit")
  report.far_after = lines(far)
  wait_for(function()
    return answered("genls.acceptedNextEdit", 2)
  end, TIMEOUT_MS, "genls.acceptedNextEdit was not run or not answered after the jump")
  report.far_uri = vim.uri_from_bufnr(far)

  step("ghost path")
  -- Where no ghost text is sure enough (minTokenProbability), genls answers an inline
  -- completion with the next edit on the cursor's line (a range that replaces other text): no
  -- ghost text may show it at the cursor. The same edit is previewed; <Tab> in insert mode
  -- takes it as its own undo step.
  settings.minTokenProbability = 0.999
  lsp.notify(client, "workspace/didChangeConfiguration", { settings = { genls = settings } })
  vim.cmd.edit(vim.fn.fnameescape(vim.env.GENLS_TEST_GHOST_FILE))
  local third = vim.api.nvim_get_current_buf()
  vim.bo[third].filetype = "python"
  wait_for(function()
    return lsp.client(third)
  end, TIMEOUT_MS, "the genls client did not attach to the third file")
  -- One edit for the server's history (count -> total_x, typed within its pause), made in two
  -- insert sessions: the `_x` of the second one stays apart from the next edit in the undo tree.
  local answers, seen_before = #inline_answers, #events
  type_keys("2G^wcwtotal<Esc>a_x")
  local replacing = wait_for(function()
    for i = answers + 1, #inline_answers do
      local answer = inline_answers[i]
      for _, item in ipairs(answer.result and (answer.result.items or answer.result) or {}) do
        if item.range and not lsp.at_cursor(item, answer.position) then
          return { position = answer.position, item = item }
        end
      end
    end
  end, TIMEOUT_MS, "genls never answered an inline completion with a replace range")
  -- The renderer has handled that answer: it must show nothing for it.
  local native_ns = vim.api.nvim_get_namespaces()["nvim.lsp.inline_completion"]
  local ghost_ns = vim.api.nvim_get_namespaces()["genls_ghost"]
  report.ghost_path = {
    answer = replacing,
    mode = vim.api.nvim_get_mode().mode,
    plugin_ghost_visible = report.ghost_mode == "plugin" and require("genls.ghost").visible(third),
    ghost_marks = ghost_ns and #vim.api.nvim_buf_get_extmarks(third, ghost_ns, 0, -1, {}) or 0,
    native_marks = native_ns and #vim.api.nvim_buf_get_extmarks(third, native_ns, 0, -1, {}) or 0,
  }
  if report.ghost_path.plugin_ghost_visible or report.ghost_path.ghost_marks > 0
    or report.ghost_path.native_marks > 0 then
    t.fail("ghost text showed an inline item that replaces other text")
  end
  seen = next_event(third, seen_before)
  report.ghost_path.event = events[seen]
  report.ghost_path.next_edit_visible = next_edit.visible(third)
  local before_insert_tab = lines(third)
  report.before_insert_tab = before_insert_tab
  type_keys("<Tab>")
  wait_for(function()
    return not vim.deep_equal(lines(third), before_insert_tab)
  end, TIMEOUT_MS, "<Tab> in insert mode did not apply the previewed next edit")
  report.after_insert_tab = { lines = lines(third), mode = vim.api.nvim_get_mode().mode }
  type_keys("<Esc>u")
  wait_for(function()
    return not vim.deep_equal(lines(third), report.after_insert_tab.lines)
  end, TIMEOUT_MS, "u did not undo the next edit taken in insert mode")
  report.after_insert_undo = lines(third)
  report.third_uri = vim.uri_from_bufnr(third)
  wait_for(function()
    return answered("genls.acceptedNextEdit", 3)
  end, TIMEOUT_MS, "genls.acceptedNextEdit was not run or not answered in insert mode")
  report.commands = commands

  step("checkhealth")
  vim.cmd("checkhealth genls")
  report.health_lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  t.finish(0)
end

t.start(run)
